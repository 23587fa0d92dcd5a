import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import type { SelfMetricsIncrements } from '../../report/self-metrics.js';
import type { WindowReport } from '../../report/window-report.js';
import type { OtlpSink, OtlpSinkOptions, OtlpSinkStats } from './otlp-sink-types.js';
import { redactUrl } from '../../redact-url.js';
import { OtlpConfigError, resolveHttpSettings, resolveLogsUrl, resolveMetricsUrl, resolveProtocol, resolveTemporality } from './otlp-config.js';
import type { OtlpHttpTarget } from './otlp-http-sender.js';
import { createConsoleTransport, createOtlpTransport } from './otlp-transport.js';
import { ScanEventExporter } from './scan-events.js';
import { createPengResource } from './resource.js';
import { ATTR_NETWORK_INTERFACE_NAME, ATTR_PENG_CAPTURE_FILE } from './semconv.js';
import { WindowMetricProducer } from './window-metric-producer.js';

/**
 * Windows per request. One window is about 31 points (the seed's, the capture's, scanners, and 22 probe
 * kinds), about 5 KB of OTLP/JSON with a short interface name (15 KB with a 255-character one; protobuf is
 * smaller), so 200
 * windows stay near 1 MB and below 3 MB: well under 4 MiB and a fraction of the Collector's default 20 MiB
 * request limit, while a 100 000-window replay needs 500 requests.
 */
export const MAX_BATCH_WINDOWS = 200;
/** A batch that serialises larger than this (very long interface names) is split in halves. */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
/** close() gets this much, plus CLOSE_MILLIS_PER_BATCH per queued batch, up to `maxCloseMillis`. */
const CLOSE_BASE_MILLIS = 2000;
const CLOSE_MILLIS_PER_BATCH = 500;
/** Live default: Telegraf kills its execd plugin 5 s after SIGTERM, and the other outputs close too. */
const DEFAULT_MAX_CLOSE_MILLIS = 3000;

export type { OtlpSink, OtlpSinkOptions, OtlpSinkStats } from './otlp-sink-types.js';

/** One serialised request: sent again as is after a failure, never rebuilt from the backlog. */
interface PendingRequest {
  readonly body: Uint8Array;
  readonly windows: number;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/**
 * OTLP export (http/protobuf by default, grpc or http/json) of finished windows. Each window goes out once, right after it is written, with
 * its own start and end as the points' times; requests run one at a time, at most MAX_BATCH_WINDOWS each,
 * and a failed request is kept (serialised) for the next window instead of a timer of its own.
 */
export function createOtlpSink(options: OtlpSinkOptions): OtlpSink {
  const env = options.env ?? process.env;
  const log = options.log ?? ((message: string) => process.stderr.write(`peng: ${message}\n`));
  if (!Number.isFinite(options.timeFrameMs) || options.timeFrameMs <= 0) {
    throw new OtlpConfigError(`OTLP sink needs a positive time frame, got ${options.timeFrameMs} ms; set -timeFrame to a duration such as 1m`);
  }
  const protocol = resolveProtocol('METRICS', options.protocol, env, log);
  const logsProtocol = resolveProtocol('LOGS', options.protocol, env, log);
  const url = resolveMetricsUrl(options.endpoint, env, protocol);
  const shownUrl = `${redactUrl(url)} (${protocol})`; // messages never show the endpoint's user-info
  const http = resolveHttpSettings(env, log);
  const target: OtlpHttpTarget = { url: new URL(url), headers: { ...http.headers, ...options.headers }, gzip: http.gzip, ...(http.tls ? { tls: http.tls } : {}) };
  const metricsOn = (options.metricsExporter ?? 'otlp') !== 'none';
  const eventsOn = (options.logsExporter ?? 'otlp') !== 'none';
  const consoleOut = options.consoleOut ?? ((line: string) => process.stderr.write(`${line}\n`));
  const transport = options.metricsExporter === 'console' ? createConsoleTransport(consoleOut) : createOtlpTransport(protocol, 'metrics', target);
  const logsUrl = resolveLogsUrl(options.endpoint, env, logsProtocol);
  const logsTransport = options.logsExporter === 'console' ? createConsoleTransport(consoleOut) : createOtlpTransport(logsProtocol, 'logs', { ...target, url: new URL(logsUrl) });
  const serializer = transport.protocol === 'http/json' ? JsonMetricsSerializer : ProtobufMetricsSerializer;
  const timeoutMillis = options.timeoutMillis ?? http.timeoutMillis ?? clamp(options.timeFrameMs, 1000, 10_000);
  const maxCloseMillis = options.maxCloseMillis ?? DEFAULT_MAX_CLOSE_MILLIS;
  const sourceAttribute = options.source === 'replay' ? ATTR_PENG_CAPTURE_FILE : ATTR_NETWORK_INTERFACE_NAME;
  const producer = new WindowMetricProducer({
    temporality: options.temporality ?? resolveTemporality(env, log),
    maxQueuedWindows: options.maxQueuedWindows ?? Math.round(clamp(3_600_000 / options.timeFrameMs, 10, 10_000)),
    maxBatchWindows: MAX_BATCH_WINDOWS,
    sourceAttribute,
  });
  const resource = createPengResource(env, log, options.instanceKey);
  /** host.id and other detected attributes arrive asynchronously; nothing is serialised before them. */
  const resourceReady = resource.waitForAsyncAttributes?.().catch(() => undefined);
  const events = new ScanEventExporter(logsTransport, resource, sourceAttribute);
  let eventsFailing = false;

  /** Sends pending scan events after the metrics; one warning per outage. */
  async function sendEvents(): Promise<void> {
    const deadline = Math.max(1, Math.min(timeoutMillis, closeDeadline - Date.now()));
    const problem = await events.send(deadline, closeStop.signal);
    if (problem !== null && !eventsFailing) log(`OTLP scan events to ${redactUrl(logsUrl)} (${logsProtocol}) not delivered: ${problem}; keeping them for the next window`);
    eventsFailing = problem !== null;
  }

  let exportedWindows = 0;
  let failedExports = 0;
  let rejectedWindows = 0;
  let lateWindows = 0;
  let inOutage = false;
  let backlogFullSaid = false;
  let lastFailure = '';
  let closed = false;
  let pending: PendingRequest | undefined;
  let running: Promise<void> | undefined;
  /** Aborted when close() runs out of time: ends the request in flight. */
  const closeStop = new AbortController();
  let closeDeadline = Infinity;

  /** The oldest queued windows as one request body, halved until it fits MAX_REQUEST_BYTES. */
  function nextRequest(): PendingRequest | undefined {
    let max = MAX_BATCH_WINDOWS;
    while (producer.queuedWindows > 0) {
      const { resourceMetrics } = producer.collectBatch(max);
      const windows = producer.lastBatchSize;
      if (resourceMetrics.scopeMetrics.length === 0) {
        exportedWindows += windows; // no value fit for export: nothing to send, nothing lost
        continue;
      }
      const body = serializer.serializeRequest({ resource, scopeMetrics: resourceMetrics.scopeMetrics });
      if (!body) {
        rejectedWindows += windows; // the serializer gave nothing to send: counted as lost, said at exit
        continue;
      }
      if (body.byteLength > MAX_REQUEST_BYTES && windows > 1) {
        producer.restoreLastBatch();
        max = Math.ceil(windows / 2);
        continue;
      }
      return { body, windows };
    }
    return undefined;
  }

  /** One request; true when the collector took it (or there was nothing to send). */
  async function exportOnce(): Promise<boolean> {
    pending ??= nextRequest();
    if (!pending) return true;
    const deadline = Math.max(1, Math.min(timeoutMillis, closeDeadline - Date.now()));
    const outcome = await transport.send(pending.body, deadline, closeStop.signal);
    const { windows } = pending;
    if (outcome.kind === 'delivered') {
      pending = undefined;
      exportedWindows += windows;
      if (inOutage) log(`OTLP export to ${shownUrl} works again; ${windows} window(s) delivered`);
      inOutage = false;
      backlogFullSaid = false;
      return true;
    }
    failedExports++;
    lastFailure = outcome.reason;
    if (outcome.kind === 'rejected') {
      pending = undefined;
      rejectedWindows += windows;
    }
    if (!inOutage) {
      log(
        outcome.kind === 'rejected'
          ? `OTLP export to ${shownUrl} rejected, ${windows} window(s) dropped: ${outcome.reason}`
          : `OTLP export to ${shownUrl} failed: ${outcome.reason}; keeping up to ${producer.maxQueuedWindows} windows and retrying with the next window`,
      );
    }
    inOutage = true;
    return false;
  }

  /** Self-metric totals at the previous window, to turn totals into per-window increments (never counted twice). */
  let previousDroppedLines = 0;
  const previous = { exported: 0, failed: 0, dropped: 0 };
  function selfIncrements(): SelfMetricsIncrements {
    // The sink's own: what happened to earlier windows since the previous window was written.
    const dropped = producer.droppedWindows + rejectedWindows;
    const increments: SelfMetricsIncrements = {
      otlpExportedWindows: exportedWindows - previous.exported,
      otlpFailedExports: failedExports - previous.failed,
      otlpDroppedWindows: dropped - previous.dropped,
    };
    previous.exported = exportedWindows;
    previous.failed = failedExports;
    previous.dropped = dropped;
    const total = options.selfMetrics?.().influxdbDroppedLines;
    if (total === undefined) return increments;
    const increment = total - previousDroppedLines;
    previousDroppedLines = total;
    return { ...increments, influxdbDroppedLines: increment };
  }

  /** Set by every write: each window gets at least one attempt that starts after it arrived. */
  let wanted = false;

  /** Sends everything queued, one request at a time; after a failure, waits for a newer window to try again. */
  async function run(): Promise<void> {
    await undefined; // lets kick() store this promise before the finally below can clear it
    try {
      await resourceReady;
      while (wanted && !closeStop.signal.aborted) {
        wanted = false;
        while (pending || producer.queuedWindows > 0) {
          if (!(await exportOnce()) || closeStop.signal.aborted) break;
        }
        if (events.queued > 0 && !closeStop.signal.aborted) await sendEvents();
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

  const undelivered = (): number => producer.queuedWindows + (pending?.windows ?? 0);
  const lost = (): number => producer.droppedWindows + rejectedWindows + lateWindows + (closed ? undelivered() : 0) + events.lost(closed);

  return {
    name: 'otlp',
    url,
    write(report: WindowReport): void {
      if (closed) {
        lateWindows++;
        return;
      }
      const droppedBefore = producer.droppedWindows;
      if (metricsOn) producer.enqueue(report, selfIncrements());
      if (eventsOn) events.add(report);
      if (producer.droppedWindows > droppedBefore && !backlogFullSaid) {
        backlogFullSaid = true;
        log(`OTLP backlog for ${shownUrl} is full (${producer.maxQueuedWindows} windows): dropping the oldest until export works again; the total is said at exit`);
      }
      kick();
    },
    flush,
    lost,
    stats(): OtlpSinkStats {
      return { exportedWindows, failedExports, droppedWindows: lost(), queuedWindows: undelivered() };
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const batches = Math.ceil(undelivered() / MAX_BATCH_WINDOWS);
      const budget = Math.min(maxCloseMillis, CLOSE_BASE_MILLIS + CLOSE_MILLIS_PER_BATCH * batches);
      closeDeadline = Date.now() + budget;
      const timer = setTimeout(() => closeStop.abort(), budget);
      try {
        if (undelivered() > 0 || events.queued > 0) kick(); // one more attempt for a backlog left by a failure
        await flush();
      } finally {
        clearTimeout(timer);
        transport.close();
        logsTransport.close();
      }
      const lostEvents = events.lost(true);
      if (lostEvents > 0) log(`OTLP: ${lostEvents} scan event(s) not delivered`);
      const total = lost() - lostEvents;
      if (total === 0) return;
      const parts: string[] = [];
      const left = undelivered();
      if (left > 0) parts.push(`${left} still queued at exit (${closeStop.signal.aborted ? `gave up after ${budget} ms` : lastFailure || 'not sent'})`);
      if (producer.droppedWindows > 0) parts.push(`${producer.droppedWindows} dropped because more than ${producer.maxQueuedWindows} waited`);
      if (rejectedWindows > 0) parts.push(`${rejectedWindows} rejected by the collector`);
      log(`OTLP: ${total} window(s) not delivered to ${shownUrl}: ${parts.join(', ')}`);
    },
  };
}
