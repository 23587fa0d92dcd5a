import type { Attributes } from '@opentelemetry/api';
import { ValueType } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  MeterProvider,
  type CollectionResult,
  type DataPoint,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import { emptyResource } from '@opentelemetry/resources';
import type { SelfMetrics } from '../../report/self-metrics.js';
import type { WindowReport } from '../../report/window-report.js';
import type { Sink } from '../sink.js';
import { PENG_VERSION } from '../../version.js';
import { OtlpConfigError } from './otlp-config.js';
import { createPengResource } from './resource.js';
import {
  ATTR_NETWORK_INTERFACE_NAME,
  ATTR_PENG_CAPTURE_FILE,
  ATTR_PENG_VERSION,
  METRIC_PENG_BUILD_INFO,
  METRIC_PENG_WINDOW_LAST_END,
  PENG_SCOPE_NAME,
  type WindowSourceAttribute,
} from './semconv.js';
import { WindowMetricProducer } from './window-metric-producer.js';

/** The port OpenTelemetry's Prometheus exporter listens on by default (OTEL_EXPORTER_PROMETHEUS_PORT). */
export const DEFAULT_PROMETHEUS_PORT = 9464;

export interface PrometheusSinkOptions {
  /** 0 or undefined: OTEL_EXPORTER_PROMETHEUS_PORT, else 9464. */
  port?: number;
  /** undefined: OTEL_EXPORTER_PROMETHEUS_HOST, else every interface. */
  host?: string;
  timeFrameMs: number;
  env?: NodeJS.ProcessEnv;
  instanceKey?: string;
  source?: 'live' | 'replay';
  selfMetrics?: () => SelfMetrics;
  log?: (message: string) => void;
}

export interface PrometheusSink extends Sink {
  /** Where Prometheus scrapes: http://host:port/metrics. */
  readonly url: string;
}

/** Host and port by the spec's variables, the flag first; a bad port is a configuration error. */
export function resolvePrometheusAddress(port: number | undefined, host: string | undefined, env: NodeJS.ProcessEnv): { host: string | undefined; port: number } {
  let chosen = port && port > 0 ? port : undefined;
  const fromEnv = env.OTEL_EXPORTER_PROMETHEUS_PORT?.trim();
  if (chosen === undefined && fromEnv) {
    const n = Number(fromEnv);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new OtlpConfigError(`OTEL_EXPORTER_PROMETHEUS_PORT="${fromEnv}" is not a port number (0..65535)`);
    chosen = n;
  }
  const chosenHost = host ?? (env.OTEL_EXPORTER_PROMETHEUS_HOST?.trim() || undefined);
  return { host: chosenHost, port: chosen ?? DEFAULT_PROMETHEUS_PORT };
}

/**
 * The last window of each interface, for a pull exporter: gauges hold the window's value, sums the running
 * total since the interface's first window (Prometheus counters are cumulative). A scrape does not drain it;
 * an interface silent for three time frames is forgotten, so a lost interface does not linger.
 */
export class LatestWindowProducer implements MetricProducer {
  private readonly windows: WindowMetricProducer;
  private readonly latest = new Map<string, { metrics: MetricData[]; at: number }>();
  private lastEndMs: number | undefined;

  constructor(
    private readonly timeFrameMs: number,
    sourceAttribute: WindowSourceAttribute,
    private readonly now: () => number = Date.now,
  ) {
    this.windows = new WindowMetricProducer({ temporality: 'cumulative', maxQueuedWindows: 1, sourceAttribute });
  }

  update(report: WindowReport, run: { influxdbDroppedLines?: number }): void {
    this.windows.enqueue(report, run);
    const { resourceMetrics } = this.windows.collectBatch(1);
    this.latest.set(report.interface, { metrics: resourceMetrics.scopeMetrics[0]?.metrics ?? [], at: this.now() });
    this.lastEndMs = Math.max(this.lastEndMs ?? -Infinity, report.end.getTime());
  }

  async collect(): Promise<CollectionResult> {
    const byName = new Map<string, MetricData>();
    const oldest = this.now() - 3 * this.timeFrameMs;
    for (const [iface, entry] of this.latest) {
      if (entry.at < oldest) {
        this.latest.delete(iface);
        continue;
      }
      for (const metric of entry.metrics) {
        // Build info and the last window end are the endpoint's own (one series each, not one per interface).
        if (metric.descriptor.name === METRIC_PENG_BUILD_INFO || metric.descriptor.name === METRIC_PENG_WINDOW_LAST_END) continue;
        const same = byName.get(metric.descriptor.name);
        if (same) byName.set(metric.descriptor.name, { ...same, dataPoints: [...same.dataPoints, ...metric.dataPoints] } as MetricData);
        else byName.set(metric.descriptor.name, metric);
      }
    }
    const metrics = [...byName.values(), ...this.selfMetrics()];
    // The reader puts the MeterProvider's resource in place of this one.
    return { resourceMetrics: { resource: emptyResource(), scopeMetrics: [{ scope: { name: PENG_SCOPE_NAME, version: PENG_VERSION }, metrics }] }, errors: [] };
  }

  /** Build info (always 1, the version as attribute) and the end of the last window, in seconds. */
  private selfMetrics(): MetricData[] {
    const time: [number, number] = [Math.floor(this.now() / 1000), 0];
    const gauge = (name: string, unit: string, description: string, value: number, attributes: Attributes, valueType: ValueType): MetricData => ({
      descriptor: { name, unit, description, valueType },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.GAUGE,
      dataPoints: [{ startTime: time, endTime: time, attributes, value } as DataPoint<number>],
    });
    const out = [gauge(METRIC_PENG_BUILD_INFO, '', 'Peng version (value 1).', 1, { [ATTR_PENG_VERSION]: PENG_VERSION }, ValueType.INT)];
    // The unit in the name too (see METRIC_PENG_WINDOW_LAST_END): both name it peng_window_last_end_seconds.
    if (this.lastEndMs !== undefined) out.push(gauge(METRIC_PENG_WINDOW_LAST_END, 's', 'End of the last window, seconds since the epoch.', this.lastEndMs / 1000, {}, ValueType.DOUBLE));
    return out;
  }
}

/**
 * A pull endpoint for Prometheus (`OTEL_METRICS_EXPORTER=prometheus`) on OpenTelemetry's Prometheus exporter:
 * Prometheus scrapes Peng directly and `up` says whether Peng runs. Samples carry no timestamp (the scrape
 * time; replayed windows lie in the past, which Prometheus would refuse), `host.name` is a label on every
 * series (the rules' `host_name`) and the whole resource is in `target_info`.
 */
export async function createPrometheusSink(options: PrometheusSinkOptions): Promise<PrometheusSink> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((message: string) => process.stderr.write(`peng: ${message}\n`));
  const { host, port } = resolvePrometheusAddress(options.port, options.host, env);
  const { PrometheusExporter } = await import('@opentelemetry/exporter-prometheus');
  const sourceAttribute = options.source === 'replay' ? ATTR_PENG_CAPTURE_FILE : ATTR_NETWORK_INTERFACE_NAME;
  const producer = new LatestWindowProducer(options.timeFrameMs, sourceAttribute);
  let listenError: Error | undefined;
  const exporter = await new Promise<InstanceType<typeof PrometheusExporter>>((resolve) => {
    const created: InstanceType<typeof PrometheusExporter> = new PrometheusExporter(
      { ...(host ? { host } : {}), port, appendTimestamp: false, metricProducers: [producer], withResourceConstantLabels: /^host\.name$/ },
      (error) => {
        if (error) listenError = error instanceof Error ? error : new Error(String(error));
        resolve(created);
      },
    );
  });
  if (listenError) throw new OtlpConfigError(`Prometheus endpoint ${host ?? '*'}:${port}: ${listenError.message}; choose another -prometheusPort or OTEL_EXPORTER_PROMETHEUS_PORT`);
  const resource = createPengResource(env, log, options.instanceKey);
  await resource.waitForAsyncAttributes?.();
  const meterProvider = new MeterProvider({ resource, readers: [exporter] });
  let previousDroppedLines = 0;
  const shownHost = host === undefined || host === '' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return {
    name: 'prometheus',
    url: `http://${shownHost}:${port}/metrics`,
    write(report: WindowReport): void {
      const total = options.selfMetrics?.().influxdbDroppedLines;
      const run = total === undefined ? {} : { influxdbDroppedLines: total - previousDroppedLines };
      if (total !== undefined) previousDroppedLines = total;
      producer.update(report, run);
    },
    async close(): Promise<void> {
      await meterProvider.shutdown().catch(() => undefined);
    },
  };
}
