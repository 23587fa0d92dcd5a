import type { Attributes, HrTime } from '@opentelemetry/api';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type CollectionResult,
  type DataPoint,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import type { SelfMetricsIncrements } from '../../report/self-metrics.js';
import type { WindowReport } from '../../report/window-report.js';
import { isExportable, PENG_INSTRUMENTS, type PengInstrument } from './instruments.js';
import { PENG_VERSION } from '../../version.js';
import { ATTR_NETWORK_INTERFACE_NAME, PENG_SCOPE_NAME, type WindowSourceAttribute } from './semconv.js';
import { BoundedQueue } from './bounded-queue.js';

/** `delta`: counters carry the window's packets from window start; `cumulative`: totals since the first window. */
export type CounterTemporality = 'delta' | 'cumulative';

export interface WindowMetricProducerOptions {
  temporality?: CounterTemporality;
  /** Windows kept while nobody collects (or exports fail); the oldest beyond it are dropped and counted. */
  maxQueuedWindows?: number;
  /** Windows one collection hands out at most (one export request); default: all of them. */
  maxBatchWindows?: number;
  scopeName?: string;
  /** The attribute naming a window's `interface`: network.interface.name (live) or peng.capture.file (replay). */
  sourceAttribute?: WindowSourceAttribute;
}

/**
 * A window turned into exportable numbers when it arrives, so a collection only reads prepared state.
 * Kept small (times as milliseconds, one shared attribute object per interface): a replay may queue 100 000.
 */
interface PreparedWindow {
  readonly attributes: Attributes;
  readonly startMs: number;
  readonly endMs: number;
  /** Start of counter points: the window start (delta) or the interface's first window start (cumulative). */
  readonly counterStartMs: number;
  /** Aligned with PENG_INSTRUMENTS; NaN when the window does not carry that value. */
  readonly values: readonly number[];
}

/** Running counter totals of one interface, for cumulative temporality. */
interface CumulativeSeries {
  readonly startMs: number;
  readonly totals: number[];
}

/** Milliseconds since the epoch as OpenTelemetry's [seconds, nanoseconds]; exact for Date's precision. */
export function dateToHrTime(date: Date): HrTime {
  return msToHrTime(date.getTime());
}

function msToHrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, (ms - seconds * 1000) * 1_000_000];
}

/**
 * A MetricProducer (the spec's bridge for points with their own times): each queued window becomes one data
 * point per instrument whose start and end are the window's. `collect()` takes the oldest windows (one
 * batch), so every window is handed out once; `restoreLastBatch()` puts a batch back in front.
 */
export class WindowMetricProducer implements MetricProducer {
  readonly temporality: CounterTemporality;
  readonly maxQueuedWindows: number;
  readonly maxBatchWindows: number;
  private readonly scope: { name: string; version: string };
  private readonly queue: BoundedQueue<PreparedWindow>;
  private lastBatch: PreparedWindow[] = [];
  private readonly series = new Map<string, CumulativeSeries>();
  private readonly attributesByInterface = new Map<string, Attributes>();
  private dropped = 0;
  private readonly sourceAttribute: WindowSourceAttribute;

  constructor(options: WindowMetricProducerOptions = {}) {
    this.sourceAttribute = options.sourceAttribute ?? ATTR_NETWORK_INTERFACE_NAME;
    this.temporality = options.temporality ?? 'cumulative';
    const max = options.maxQueuedWindows ?? 1000;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxQueuedWindows must be a positive integer, got ${max}`);
    this.maxQueuedWindows = max;
    const batch = options.maxBatchWindows ?? max;
    if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`maxBatchWindows must be a positive integer, got ${batch}`);
    this.maxBatchWindows = batch;
    this.queue = new BoundedQueue(max);
    this.scope = { name: options.scopeName ?? PENG_SCOPE_NAME, version: PENG_VERSION };
  }

  /** Windows waiting for the next collection. */
  get queuedWindows(): number {
    return this.queue.length;
  }

  /** Windows handed out by the last collection. */
  get lastBatchSize(): number {
    return this.lastBatch.length;
  }

  /** Windows dropped because the queue was full. */
  get droppedWindows(): number {
    return this.dropped;
  }

  /** Queues a finished window, with what the run's own counters added during it, for the next collection. */
  enqueue(report: WindowReport, run: SelfMetricsIncrements = {}): void {
    const startMs = report.start.getTime();
    // Doubles only (NaN for absent), so V8 keeps them unboxed in one small array.
    const values = PENG_INSTRUMENTS.map((instrument) => {
      const value = instrument.read(report, run);
      return isExportable(instrument, value) ? value : NaN;
    });
    let counterStartMs = startMs;
    if (this.temporality === 'cumulative') {
      const series = this.cumulativeSeries(report.interface, startMs);
      counterStartMs = series.startMs;
      values.forEach((value, i) => {
        if (PENG_INSTRUMENTS[i].kind !== 'counter' || Number.isNaN(value)) return;
        series.totals[i] += value;
        values[i] = series.totals[i];
      });
    }
    this.dropped += this.queue.push({
      attributes: this.attributesOf(report.interface),
      startMs,
      endMs: report.end.getTime(),
      counterStartMs,
      values,
    });
  }

  /** Takes the oldest windows (at most `maxBatchWindows`) as metric data; an empty queue yields no scope at all. */
  async collect(): Promise<CollectionResult> {
    return this.collectBatch(this.maxBatchWindows);
  }

  /** Takes at most `maxWindows` of the oldest windows as metric data, at once. */
  collectBatch(maxWindows: number): CollectionResult {
    this.lastBatch = this.queue.take(Math.max(1, maxWindows));
    const metrics: MetricData[] = [];
    const byName = new Map<string, MetricData>();
    PENG_INSTRUMENTS.forEach((instrument, i) => {
      const data = this.metricData(instrument, i, this.lastBatch);
      if (!data) return;
      // Entries sharing a name (probes by kind) are one metric whose points differ in their attribute.
      const same = byName.get(instrument.name);
      if (same) (same.dataPoints as DataPoint<number>[]).push(...(data.dataPoints as DataPoint<number>[]));
      else {
        byName.set(instrument.name, data);
        metrics.push(data);
      }
    });
    return {
      resourceMetrics: {
        // A reader (or the OTLP sink) replaces this with the run's resource.
        resource: emptyResource(),
        scopeMetrics: metrics.length > 0 ? [{ scope: this.scope, metrics }] : [],
      },
      errors: [],
    };
  }

  /** Puts the last collected batch back in front of the queue (windows that no longer fit are dropped and counted). */
  restoreLastBatch(): void {
    this.dropped += this.queue.unshift(this.lastBatch);
    this.lastBatch = [];
  }

  private metricData(instrument: PengInstrument, index: number, batch: readonly PreparedWindow[]): MetricData | undefined {
    const counter = instrument.kind === 'counter';
    const dataPoints: DataPoint<number>[] = [];
    for (const window of batch) {
      const value = window.values[index];
      if (Number.isNaN(value)) continue;
      const startTime = msToHrTime(counter ? window.counterStartMs : window.startMs);
      const attributes = instrument.attribute ? this.attributesWith(window.attributes, instrument.attribute) : window.attributes;
      dataPoints.push({ startTime, endTime: msToHrTime(window.endMs), attributes, value });
    }
    if (dataPoints.length === 0) return undefined;
    const descriptor = {
      name: instrument.name,
      description: instrument.description,
      unit: instrument.unit,
      valueType: instrument.valueType,
    };
    if (!counter) {
      return { descriptor, aggregationTemporality: AggregationTemporality.DELTA, dataPointType: DataPointType.GAUGE, dataPoints };
    }
    const aggregationTemporality =
      this.temporality === 'delta' ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE;
    return { descriptor, aggregationTemporality, dataPointType: DataPointType.SUM, isMonotonic: true, dataPoints };
  }

  /** The interface's attributes plus one more, made once per pair (a replay may queue 100 000 windows). */
  private readonly extended = new WeakMap<Attributes, Map<string, Attributes>>();
  private attributesWith(base: Attributes, extra: { key: string; value: string }): Attributes {
    let byExtra = this.extended.get(base);
    if (!byExtra) {
      byExtra = new Map();
      this.extended.set(base, byExtra);
    }
    const id = `${extra.key}=${extra.value}`;
    let attributes = byExtra.get(id);
    if (!attributes) {
      attributes = { ...base, [extra.key]: extra.value };
      byExtra.set(id, attributes);
    }
    return attributes;
  }

  private attributesOf(interfaceName: string): Attributes {
    let attributes = this.attributesByInterface.get(interfaceName);
    if (!attributes) {
      attributes = { [this.sourceAttribute]: interfaceName };
      this.attributesByInterface.set(interfaceName, attributes);
    }
    return attributes;
  }

  private cumulativeSeries(interfaceName: string, startMs: number): CumulativeSeries {
    let series = this.series.get(interfaceName);
    if (!series) {
      series = { startMs, totals: PENG_INSTRUMENTS.map(() => 0) };
      this.series.set(interfaceName, series);
    }
    return series;
  }
}
