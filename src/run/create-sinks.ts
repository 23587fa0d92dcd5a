import type { PengConfig } from '../config/peng-config.js';
import type { Logger } from '../log.js';
import { createConsoleSink } from '../sinks/console-sink.js';
import { createCsvSink } from '../sinks/csv-sink.js';
import { createJsonSink } from '../sinks/json-sink.js';
import type { Sink } from '../sinks/sink.js';

/** Windows a replay may queue for OTLP export (about 10 weeks of 1-minute windows). */
const REPLAY_MAX_QUEUED_WINDOWS = 100_000;

/** True when stdout carries data (JSON or line protocol) and so nothing else may be written there. */
export function stdoutCarriesData(config: Pick<PengConfig, 'json' | 'lineProtocol'>): boolean {
  return config.json || config.lineProtocol;
}

/**
 * The sinks a configuration asks for. Heavy clients (InfluxDB, OpenTelemetry) are imported only when
 * their sink is on, so a plain replay starts as fast as Node itself.
 */
export async function createSinks(config: PengConfig, log: Logger): Promise<Sink[]> {
  const sinks: Sink[] = [];
  const dataOnStdout = stdoutCarriesData(config);
  if (config.verbose >= 1) {
    sinks.push(
      createConsoleSink({
        verbose: config.verbose,
        out: dataOnStdout ? process.stderr : process.stdout,
        ...(config.lineProtocol ? { linePrefix: 'I! ' } : {}),
      }),
    );
  }
  if (config.export !== '') sinks.push(createCsvSink(config.export));
  if (config.json) sinks.push(createJsonSink(process.stdout));
  if (config.lineProtocol) {
    const { createLineProtocolSink } = await import('../sinks/line-protocol-sink.js');
    sinks.push(createLineProtocolSink({ log }));
  }
  if (config.bucket !== '' || config.org !== '' || config.token !== '') {
    const { createInfluxDbSink } = await import('../sinks/influxdb-sink.js');
    sinks.push(
      await createInfluxDbSink({ url: config.influxUrl, port: config.influxPort, org: config.org, bucket: config.bucket, token: config.token, log }),
    );
  }
  if (config.otlp) {
    const { createOtlpSink } = await import('../sinks/otel/otlp-sink.js');
    sinks.push(
      createOtlpSink({
        ...(config.otlpEndpoint !== '' ? { endpoint: config.otlpEndpoint } : {}),
        timeFrameMs: config.timeFrame,
        // A replay closes windows far faster than exports finish: let them queue instead of dropping them.
        ...(config.command === 'replay' ? { maxQueuedWindows: REPLAY_MAX_QUEUED_WINDOWS } : {}),
        log: (m) => log.warn(m),
      }),
    );
  }
  return sinks;
}
