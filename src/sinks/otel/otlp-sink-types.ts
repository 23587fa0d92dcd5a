import type { SelfMetrics } from '../../report/self-metrics.js';
import type { Sink } from '../sink.js';
import type { OtlpProtocol } from './otlp-config.js';
import type { CounterTemporality } from './window-metric-producer.js';

export interface OtlpSinkOptions {
  /** Base URL (`--otlpEndpoint`), `/v1/metrics` is appended (not for gRPC); undefined lets the OTEL_* variables decide. */
  endpoint?: string;
  /** Transport (`-otlpProtocol`) for both signals; undefined lets the OTEL_*_PROTOCOL variables decide (default http/protobuf). */
  protocol?: OtlpProtocol;
  /** The detector's window length; bounds the export timeout and the backlog kept during an outage. */
  timeFrameMs: number;
  /** Extra HTTP headers, on top of OTEL_EXPORTER_OTLP_HEADERS and ..._METRICS_HEADERS. */
  headers?: Record<string, string>;
  /** Per request, whole exchange; default: the time frame, within 1..10 s, unless OTEL_EXPORTER_OTLP_TIMEOUT is set. */
  timeoutMillis?: number;
  /** Sum temporality; default from OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE, else cumulative. */
  temporality?: CounterTemporality;
  /** Windows kept while the collector is unreachable; default one hour of windows (10..10000). */
  maxQueuedWindows?: number;
  /** Upper bound of close(): 3 s by default (live); a replay with a large backlog may allow more. */
  maxCloseMillis?: number;
  /** Environment to read OTEL_* variables from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** The run's own counters, read at each window; their increments are exported next to the window's points. */
  selfMetrics?: () => SelfMetrics;
  /** Receives warnings (one per outage, not one per failed export); defaults to stderr. */
  log?: (message: string) => void;
  /**
   * What tells this Peng from another on the same host (the interfaces live, the capture file in replay):
   * with the machine id it makes a `service.instance.id` that is stable across restarts.
   */
  instanceKey?: string;
  /** Where the window metrics go (OTEL_METRICS_EXPORTER): OTLP (default), OTLP/JSON lines on `consoleOut`, or nowhere. */
  metricsExporter?: 'otlp' | 'console' | 'none';
  /** Where scan events go (OTEL_LOGS_EXPORTER): OTLP (default), OTLP/JSON lines on `consoleOut`, or nowhere. */
  logsExporter?: 'otlp' | 'console' | 'none';
  /** The console exporter's output, one OTLP/JSON request per line; default stderr (stdout carries -json data). */
  consoleOut?: (line: string) => void;
  /** `replay`: a window's `interface` is a capture file's name, exported as peng.capture.file. Default live. */
  source?: 'live' | 'replay';
}

export interface OtlpSinkStats {
  /** Windows the collector accepted. */
  exportedWindows: number;
  /** Export requests that failed (network, timeout or rejection). */
  failedExports: number;
  /** Windows given up: backlog full, rejected by the collector, or still queued at close. */
  droppedWindows: number;
  /** Windows waiting for the next export (the batch being retried included). */
  queuedWindows: number;
}

export interface OtlpSink extends Sink {
  /** The metrics URL in use. */
  readonly url: string;
  stats(): OtlpSinkStats;
  /** Resolves when the exports under way are done: sent, or kept for the next window after a failure. */
  flush(): Promise<void>;
}

