import { resolve } from 'node:path';
import type { PengConfig } from '../config/peng-config.js';
import type { SelfMetrics } from '../report/self-metrics.js';
import type { WindowReport } from '../report/window-report.js';
import { createConsoleSink } from '../sinks/console-sink.js';
import { createCsvSink } from '../sinks/csv-sink.js';
import { createScanCsvSink } from '../sinks/scan-csv-sink.js';
import { createJsonSink } from '../sinks/json-sink.js';
import { formatIPv4, formatIPv6 } from '../net/ip-text.js';
import { createPortTrace, type PortTrace, type PortTraceSource } from '../sinks/port-trace.js';
import type { Sink } from '../sinks/sink.js';
import type { OtlpProtocol } from '../sinks/otel/otlp-config.js';
import { SinkFanout } from '../sinks/sink-fanout.js';
import { lookupAccount } from './privileges.js';
import type { RunStdio } from './stdio.js';

/** Windows a replay may queue for OTLP export or InfluxDB lines it may buffer (about 10 weeks of 1-minute windows). */
const REPLAY_MAX_QUEUED_WINDOWS = 100_000;
/** A replay's OTLP close() may take this long for a large backlog (live keeps the sink's 3 s for Telegraf). */
const REPLAY_MAX_OTLP_CLOSE_MS = 30_000;

/** Everything a run writes to: the sinks of the configuration, behind one fan-out. */
export interface Outputs {
  /** Hands one finished window to every sink. */
  deliver(report: WindowReport): void;
  /** `-verbose 3`: one rate-limited console line per counted port; absent otherwise. */
  readonly onPort?: PortTrace;
  /** Windows delivered so far. */
  readonly windows: number;
  /** InfluxDB lines given up so far; undefined without the InfluxDB output. */
  influxdbDroppedLines(): number | undefined;
  /** Flushes and closes every sink; resolves to what they failed to deliver (said once on stderr). */
  close(): Promise<number>;
}

export interface OutputsContext {
  /** A replay closes windows far faster than exports finish: its OTLP backlog may grow larger. */
  mode: 'replay' | 'live';
  /** The run's own counters, for the exporters that export them. */
  selfMetrics: () => SelfMetrics;
}

/** What tells two Pengs on one host apart, for a stable service.instance.id: the capture file, or the interfaces. */
function otelInstanceKey(config: PengConfig): string {
  if (config.command === 'replay') return `replay:${config.replayFiles.map((p) => resolve(p)).join(',')}`;
  return `live:${[...config.network].sort().join(',') || '(default route)'}`;
}

/** Root, the current user and the -user Peng drops to: the owners whose symlink an output file may be. */
function trustedFileOwners(config: PengConfig): number[] {
  const owners = [0, process.geteuid?.() ?? 0];
  const target = config.user === '' ? null : lookupAccount('passwd', config.user);
  if (target !== null) owners.push(target.id);
  return owners;
}

/**
 * Opens the outputs a configuration asks for (files now, before privileges are dropped). Heavy clients
 * (InfluxDB, OpenTelemetry) are imported only when their sink is on, so a plain replay starts fast.
 */
export async function openOutputs(config: PengConfig, stdio: RunStdio, context: OutputsContext): Promise<Outputs> {
  const { log } = stdio;
  const sinks: Sink[] = [];
  const warn = (message: string): void => log.warn(message);
  if (config.verbose >= 1) sinks.push(createConsoleSink({ verbose: config.verbose, out: stdio.console, linePrefix: stdio.consolePrefix, warn }));
  if (config.export !== '') sinks.push(createCsvSink(config.export, { trustedLinkOwners: trustedFileOwners(config) }));
  if (config.exportScans !== '') sinks.push(createScanCsvSink(config.exportScans, { trustedLinkOwners: trustedFileOwners(config) }));
  if (config.json) sinks.push(createJsonSink(process.stdout, { warn }));
  if (config.lineProtocol) {
    const { createLineProtocolSink } = await import('../sinks/line-protocol-sink.js');
    sinks.push(createLineProtocolSink({ log }));
  }
  let influx: { readonly droppedLines: number } | null = null;
  if (config.bucket !== '' || config.org !== '' || config.token !== '') {
    const { createInfluxDbSink } = await import('../sinks/influxdb-sink.js');
    const sink = await createInfluxDbSink({
      url: config.influxUrl,
      port: config.influxPort,
      org: config.org,
      bucket: config.bucket,
      token: config.token,
      // A replay closes windows faster than one request at a time writes them: let its lines wait.
      ...(context.mode === 'replay' ? { maxBufferLines: REPLAY_MAX_QUEUED_WINDOWS } : {}),
      log,
    });
    influx = sink;
    sinks.push(sink);
  }
  if (config.otlp) {
    const { createOtelOutput } = await import('../sinks/otel/otel-output.js');
    sinks.push(
      ...(await createOtelOutput({
        ...(config.otlpEndpoint !== '' ? { endpoint: config.otlpEndpoint } : {}),
        ...(config.otlpProtocol !== '' ? { protocol: config.otlpProtocol as OtlpProtocol } : {}),
        ...(config.prometheusPort > 0 ? { prometheusPort: config.prometheusPort } : {}),
        timeFrameMs: config.timeFrame,
        ...(context.mode === 'replay' ? { maxQueuedWindows: REPLAY_MAX_QUEUED_WINDOWS, maxCloseMillis: REPLAY_MAX_OTLP_CLOSE_MS } : {}),
        selfMetrics: context.selfMetrics,
        log: (m) => log.warn(m),
        source: context.mode,
        instanceKey: otelInstanceKey(config),
      })),
    );
  }
  const fanout = new SinkFanout(sinks, (sink, error, first) => {
    if (first) log.error(`${sink.name} output failed: ${error.message}`);
  });
  const sourceText = (s: PortTraceSource): string => (s.family === 4 ? formatIPv4(s.src4) : formatIPv6(s.src6));
  const onPort = config.verbose >= 3 ? createPortTrace(stdio.console, stdio.consolePrefix, sourceText) : undefined;
  let windows = 0;
  return {
    deliver(report) {
      windows++;
      fanout.write(report);
    },
    ...(onPort ? { onPort } : {}),
    get windows() {
      return windows;
    },
    influxdbDroppedLines: () => influx?.droppedLines,
    async close() {
      await fanout.close();
      const lost = fanout.lost();
      if (lost > 0) log.error(`${lost} window(s) or line(s) were not delivered to every output; see the messages above`);
      return lost;
    },
  };
}
