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
import { ATTR_NETWORK_INTERFACE_NAME, PENG_SCOPE_NAME } from './semconv.js';

/** `delta`: counters carry the window's packets from window start; `cumulative`: totals since the first window. */
export type CounterTemporality = 'delta' | 'cumulative';

export interface WindowMetricProducerOptions {
  temporality?: CounterTemporality;
  /** Windows kept while nobody collects (or exports fail); the oldest beyond it are dropped and counted. */
  maxQueuedWindows?: number;
  scopeName?: string;
}

/** A window turned into exportable numbers when it arrives, so a collection only reads prepared state. */
interface PreparedWindow {
  readonly attributes: Attributes;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  /** Start of counter points: the window start (delta) or the interface's first window start (cumulative). */
  readonly counterStartTime: HrTime;
  /** Aligned with PENG_INSTRUMENTS; undefined when the window does not carry that value. */
  readonly values: readonly (number | undefined)[];
}

/** Running counter totals of one interface, for cumulative temporality. */
interface CumulativeSeries {
  readonly startTime: HrTime;
  readonly totals: number[];
}

/** Milliseconds since the epoch as OpenTelemetry's [seconds, nanoseconds]; exact for Date's precision. */
export function dateToHrTime(date: Date): HrTime {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return [seconds, (ms - seconds * 1000) * 1_000_000];
}

/**
 * A MetricProducer (the spec's bridge for points with their own times): each queued window becomes one data
 * point per instrument whose start and end are the window's. `collect()` drains the queue, so every window
 * is handed out once; `restoreLastBatch()` puts a batch whose export failed back in front.
 */
export class WindowMetricProducer implements MetricProducer {
  readonly temporality: CounterTemporality;
  readonly maxQueuedWindows: number;
  private readonly scope: { name: string; version: string };
  private queue: PreparedWindow[] = [];
  private lastBatch: PreparedWindow[] = [];
  private readonly series = new Map<string, CumulativeSeries>();
  private dropped = 0;

  constructor(options: WindowMetricProducerOptions = {}) {
    this.temporality = options.temporality ?? 'delta';
    const max = options.maxQueuedWindows ?? 1000;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxQueuedWindows must be a positive integer, got ${max}`);
    this.maxQueuedWindows = max;
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
    const startTime = dateToHrTime(report.start);
    const values = PENG_INSTRUMENTS.map((instrument) => {
      const value = instrument.read(report, run);
      return isExportable(instrument, value) ? value : undefined;
    });
    let counterStartTime = startTime;
    if (this.temporality === 'cumulative') {
      const series = this.cumulativeSeries(report.interface, startTime);
      counterStartTime = series.startTime;
      values.forEach((value, i) => {
        if (PENG_INSTRUMENTS[i].kind !== 'counter' || value === undefined) return;
        series.totals[i] += value;
        values[i] = series.totals[i];
      });
    }
    this.queue.push({
      attributes: { [ATTR_NETWORK_INTERFACE_NAME]: report.interface },
      startTime,
      endTime: dateToHrTime(report.end),
      counterStartTime,
      values,
    });
    this.trim();
  }

  /** Drains the queue into metric data; an empty queue yields no scope at all, so nothing is sent. */
  async collect(): Promise<CollectionResult> {
    this.lastBatch = this.queue;
    this.queue = [];
    const metrics: MetricData[] = [];
    PENG_INSTRUMENTS.forEach((instrument, i) => {
      const data = this.metricData(instrument, i, this.lastBatch);
      if (data) metrics.push(data);
    });
    return {
      resourceMetrics: {
        // A reader replaces this with its MeterProvider's resource.
        resource: emptyResource(),
        scopeMetrics: metrics.length > 0 ? [{ scope: this.scope, metrics }] : [],
      },
      errors: [],
    };
  }

  /** Puts the last collected batch back in front of the queue, after an export that may be retried failed. */
  restoreLastBatch(): void {
    this.queue = this.lastBatch.concat(this.queue);
    this.lastBatch = [];
    this.trim();
  }

  private metricData(instrument: PengInstrument, index: number, batch: readonly PreparedWindow[]): MetricData | undefined {
    const counter = instrument.kind === 'counter';
    const dataPoints: DataPoint<number>[] = [];
    for (const window of batch) {
      const value = window.values[index];
      if (value === undefined) continue;
      const startTime = counter ? window.counterStartTime : window.startTime;
      dataPoints.push({ startTime, endTime: window.endTime, attributes: window.attributes, value });
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

  private cumulativeSeries(interfaceName: string, startTime: HrTime): CumulativeSeries {
    let series = this.series.get(interfaceName);
    if (!series) {
      series = { startTime, totals: PENG_INSTRUMENTS.map(() => 0) };
      this.series.set(interfaceName, series);
    }
    return series;
  }

  private trim(): void {
    const excess = this.queue.length - this.maxQueuedWindows;
    if (excess > 0) {
      this.queue.splice(0, excess);
      this.dropped += excess;
    }
  }
}
