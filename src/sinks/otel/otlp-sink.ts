import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { SelfMetrics } from '../../report/self-metrics.js';
import type { WindowReport } from '../../report/window-report.js';
import type { Sink } from '../sink.js';
import { redactUrl } from '../../redact-url.js';
import { OtlpConfigError, protocolNotice, resolveMetricsUrl, resolveTemporality } from './otlp-config.js';
import { createPengResource } from './resource.js';
import { WindowMetricProducer, type CounterTemporality } from './window-metric-producer.js';

export interface OtlpSinkOptions {
  /** Base URL (`--otlpEndpoint`), `/v1/metrics` is appended; undefined lets the OTEL_* variables decide. */
  endpoint?: string;
  /** The detector's window length; bounds the export timeout and the backlog kept during an outage. */
  timeFrameMs: number;
  /** Extra HTTP headers (OTEL_EXPORTER_OTLP_HEADERS and ..._METRICS_HEADERS are read by the exporter). */
  headers?: Record<string, string>;
  /** Per export, retries included; default: the time frame, within 1..10 s, unless OTEL_EXPORTER_OTLP_TIMEOUT is set. */
  timeoutMillis?: number;
  /** Counter temporality; default from OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE, else delta. */
  temporality?: CounterTemporality;
  /** Windows kept while the collector is unreachable; default one hour of windows (10..10000). */
  maxQueuedWindows?: number;
  /** Environment to read OTEL_* variables from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** The run's own counters, read at each window; their increments are exported next to the window's points. */
  selfMetrics?: () => SelfMetrics;
  /** Receives warnings (one per outage, not one per failed export); defaults to stderr. */
  log?: (message: string) => void;
}

export interface OtlpSinkStats {
  /** Windows the collector accepted. */
  exportedWindows: number;
  /** Export requests that failed (network, timeout or rejection). */
  failedExports: number;
  /** Windows given up: backlog full, rejected by the collector, or still queued at close. */
  droppedWindows: number;
  /** Windows waiting for the next export. */
  queuedWindows: number;
}

export interface OtlpSink extends Sink {
  /** The metrics URL in use. */
  readonly url: string;
  stats(): OtlpSinkStats;
  /** Resolves when the exports under way are done: sent, or kept for the next window after a failure. */
  flush(): Promise<void>;
}

/** What the exporter reports for one request (ExportResult of @opentelemetry/core, not a direct dependency). */
type ExportResult = Parameters<Parameters<OTLPMetricExporter['export']>[1]>[0];
/** ExportResultCode.SUCCESS and FAILED. */
const EXPORT_SUCCESS = 0;
const EXPORT_FAILED = 1;

/** A reader with no timer of its own: the sink collects it once per window. */
class WindowCadenceReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** Rejections by the collector (an HTTP status) are final; network errors and timeouts are worth a retry. */
function isRejection(error: unknown): boolean {
  return typeof (error as { code?: unknown } | undefined)?.code === 'number';
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code, data } = error as Error & { code?: unknown; data?: unknown };
  const detail = typeof data === 'string' && data !== '' ? `: ${data.slice(0, 200)}` : '';
  return `${error.message || 'error'}${code !== undefined ? ` (${String(code)})` : ''}${detail}`;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/**
 * OTLP/HTTP (JSON) export of finished windows. Each window goes out once, right after it is written, with
 * its own start and end as the points' times; exports run one at a time, and a failed batch waits in a
 * bounded backlog for the next window instead of a timer of its own.
 */
export function createOtlpSink(options: OtlpSinkOptions): OtlpSink {
  const env = options.env ?? process.env;
  const log = options.log ?? ((message: string) => process.stderr.write(`peng: ${message}\n`));
  if (!Number.isFinite(options.timeFrameMs) || options.timeFrameMs <= 0) {
    throw new OtlpConfigError(`OTLP sink needs a positive time frame, got ${options.timeFrameMs} ms; set -timeFrame to a duration such as 1m`);
  }
  const url = resolveMetricsUrl(options.endpoint, env);
  const shownUrl = redactUrl(url); // messages never show the endpoint's user-info
  const notice = protocolNotice(env);
  if (notice) log(notice);
  const envTimeout = env.OTEL_EXPORTER_OTLP_METRICS_TIMEOUT ?? env.OTEL_EXPORTER_OTLP_TIMEOUT;
  const timeoutMillis = options.timeoutMillis ?? (envTimeout ? undefined : clamp(options.timeFrameMs, 1000, 10_000));
  const producer = new WindowMetricProducer({
    temporality: options.temporality ?? resolveTemporality(env, log),
    maxQueuedWindows: options.maxQueuedWindows ?? Math.round(clamp(3_600_000 / options.timeFrameMs, 10, 10_000)),
  });
  const reader = new WindowCadenceReader({ metricProducers: [producer] });
  const meterProvider = new MeterProvider({ resource: createPengResource(env, log), readers: [reader] });
  const exporter = new OTLPMetricExporter({ url, headers: options.headers, timeoutMillis });

  let exportedWindows = 0;
  let failedExports = 0;
  let rejectedWindows = 0;
  let lateWindows = 0;
  let inOutage = false;
  let closed = false;
  let running: Promise<void> | undefined;

  /** One collection and one request; true when the collector took it (or there was nothing to send). */
  async function exportOnce(): Promise<boolean> {
    let result: ExportResult;
    try {
      const { resourceMetrics } = await reader.collect();
      if (resourceMetrics.scopeMetrics.length === 0) return true;
      result = await new Promise<ExportResult>((resolve) => exporter.export(resourceMetrics, resolve));
    } catch (error) {
      result = { code: EXPORT_FAILED, error: error instanceof Error ? error : new Error(String(error)) };
    }
    const batch = producer.lastBatchSize;
    if (result.code === EXPORT_SUCCESS) {
      exportedWindows += batch;
      if (inOutage) log(`OTLP export to ${shownUrl} works again; ${batch} window(s) delivered`);
      inOutage = false;
      return true;
    }
    failedExports++;
    const rejected = isRejection(result.error);
    if (rejected) rejectedWindows += batch;
    else producer.restoreLastBatch();
    if (!inOutage) {
      log(
        rejected
          ? `OTLP export to ${shownUrl} rejected, ${batch} window(s) dropped: ${describe(result.error)}`
          : `OTLP export to ${shownUrl} failed: ${describe(result.error)}; keeping up to ${producer.maxQueuedWindows} windows and retrying with the next window`,
      );
    }
    inOutage = true;
    return false;
  }

  /** Self-metric totals at the previous window, to turn totals into per-window increments. */
  let previousDroppedLines = 0;
  function selfIncrements(): { influxdbDroppedLines?: number } {
    const total = options.selfMetrics?.().influxdbDroppedLines;
    if (total === undefined) return {};
    const increment = total - previousDroppedLines;
    previousDroppedLines = total;
    return { influxdbDroppedLines: increment };
  }

  /** Set by every write: each window gets at least one attempt that starts after it arrived. */
  let wanted = false;

  /** Sends everything queued, one request at a time; after a failure, waits for a newer window to try again. */
  async function run(): Promise<void> {
    await undefined; // lets kick() store this promise before the finally below can clear it
    try {
      while (wanted) {
        wanted = false;
        while (producer.queuedWindows > 0) {
          if (!(await exportOnce())) break;
        }
      }
    } finally {
      running = undefined;
    }
  }

  function kick(): void {
    wanted = true;
    running ??= run();
  }

  /** Waits for the exports under way; a failed batch stays queued for the next window. */
  async function flush(): Promise<void> {
    while (running) await running;
  }

  return {
    name: 'otlp',
    url,
    write(report: WindowReport): void {
      if (closed) {
        lateWindows++;
        return;
      }
      producer.enqueue(report, selfIncrements());
      kick();
    },
    flush,
    lost(): number {
      return producer.droppedWindows + rejectedWindows + lateWindows + (closed ? producer.queuedWindows : 0);
    },
    stats(): OtlpSinkStats {
      return {
        exportedWindows,
        failedExports,
        droppedWindows: producer.droppedWindows + rejectedWindows + lateWindows + (closed ? producer.queuedWindows : 0),
        queuedWindows: producer.queuedWindows,
      };
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await flush();
      const undelivered = producer.queuedWindows;
      if (undelivered > 0) log(`OTLP: ${undelivered} window(s) not delivered to ${shownUrl} at exit`);
      if (producer.droppedWindows > 0) log(`OTLP: ${producer.droppedWindows} window(s) dropped because more than ${producer.maxQueuedWindows} waited for export`);
      try {
        await exporter.shutdown();
        await meterProvider.shutdown();
      } catch (error) {
        log(`OTLP exporter shutdown: ${describe(error)}`);
      }
    },
  };
}
