import { hostname } from 'node:os';
import type { WriteApi } from '@influxdata/influxdb-client';
import type { WindowReport } from '../report/window-report.js';
import { redactUrl } from '../net/redact-url.js';
import { rateLimited, silentLogger, type Logger, type RateLimitedLogger } from '../log.js';
import { describeWriteError, influxServerUrl, isRetryable } from './influxdb-server.js';
import { windowToLine } from './line-protocol.js';
import type { Sink } from './sink.js';

export { influxServerUrl } from './influxdb-server.js';

export interface InfluxDbSinkOptions {
  /** Server URL, the seed's `-influxUrl` (default there: http://localhost). */
  url: string;
  /** The seed's `-influxPort`; used unless `url` names a port itself. */
  port: number;
  org: string;
  bucket: string;
  token: string;
  /** Value of the `host` tag; default os.hostname(). */
  host?: string;
  /** Lines kept for retry while the server is away; beyond it the oldest (by first attempt, to the ms) are dropped and counted. */
  maxBufferLines?: number;
  /** Longest time close() spends writing what is still buffered. */
  closeTimeoutMs?: number;
  /** Backoff between retries of one batch: starts near minDelayMs, grows to maxDelayMs. */
  retry?: { minDelayMs?: number; maxDelayMs?: number };
  /** Timeout of one HTTP request. */
  requestTimeoutMs?: number;
  /** Receives errors and outage notices (stderr); default silent. */
  log?: Logger;
}

export const INFLUXDB_DEFAULTS = {
  maxBufferLines: 10_000,
  closeTimeoutMs: 5_000,
  minRetryDelayMs: 1_000,
  maxRetryDelayMs: 30_000,
  requestTimeoutMs: 10_000,
} as const;

// Retries never give up on their own: only the bounded buffer decides what is lost, and it counts it.
const UNLIMITED_RETRIES = 1_000_000_000;
const UNLIMITED_RETRY_TIME_MS = 100 * 365 * 24 * 3600 * 1000;

interface Outage {
  since: number;
  droppedAtStart: number;
  overflowLogged: boolean;
}

/**
 * Writes one line per window to InfluxDB 2 (`/api/v2/write`, ns precision, `host` tag) through
 * `@influxdata/influxdb-client`. While the server is away, lines wait in the client's bounded retry
 * buffer; lines it drops, and lines the server rejects, are counted in `droppedLines` and logged
 * once per outage. Create it with `createInfluxDbSink`, which loads the client library lazily.
 */
export class InfluxDbSink implements Sink {
  readonly name = 'InfluxDB';
  private readonly api: WriteApi;
  private readonly serverUrl: string;
  private readonly host: string;
  private readonly maxBufferLines: number;
  private readonly closeTimeoutMs: number;
  private readonly log: RateLimitedLogger;
  private readonly inFlight = new Set<Promise<void>>();
  private accepted = 0;
  private written = 0;
  private dropped = 0;
  private skipped = 0;
  private outage: Outage | null = null;
  private lastFailure = '';
  private flushQueued = false;
  private closing: Promise<void> | null = null;
  private disposed = false;

  /** @internal use createInfluxDbSink; `api` must be created with this sink's write callbacks. */
  constructor(api: WriteApi, serverUrl: string, options: InfluxDbSinkOptions) {
    this.api = api;
    this.serverUrl = redactUrl(serverUrl); // for messages: never the user-info
    this.host = options.host ?? hostname();
    this.maxBufferLines = options.maxBufferLines ?? INFLUXDB_DEFAULTS.maxBufferLines;
    this.closeTimeoutMs = options.closeTimeoutMs ?? INFLUXDB_DEFAULTS.closeTimeoutMs;
    this.log = rateLimited(options.log ?? silentLogger, { burst: 5, intervalMs: 60_000 });
  }

  /** Lines lost: pushed out of the full retry buffer, rejected by the server, or unwritten at close. */
  get droppedLines(): number {
    return this.dropped;
  }

  lost(): number {
    return this.dropped;
  }

  /** Lines the server acknowledged. */
  get writtenLines(): number {
    return this.written;
  }

  /** Lines accepted by write() and neither written nor dropped yet (in flight or waiting for retry). */
  get pendingLines(): number {
    return this.accepted - this.written - this.dropped;
  }

  /** Windows that could not become a line (time outside line protocol's range) or came after close(). */
  get skippedWindows(): number {
    return this.skipped;
  }

  /** True while writes fail and lines wait for the server to come back. */
  get outageActive(): boolean {
    return this.outage !== null;
  }

  write(report: WindowReport): void {
    if (this.closing) {
      this.skipped++;
      return;
    }
    let line: string;
    try {
      line = windowToLine(report, { host: this.host });
    } catch (error) {
      this.skipped++;
      this.log.warn(`InfluxDB: window of ${JSON.stringify(report.interface)} skipped: ${(error as Error).message}`);
      return;
    }
    this.accepted++;
    this.api.writeRecord(line);
    this.queueFlush();
  }

  /** Resolves once no request started by write() is on the wire (failed ones are then in the retry buffer). */
  async idle(): Promise<void> {
    while (this.flushQueued || this.inFlight.size > 0) {
      await Promise.all([...this.inFlight, Promise.resolve()]);
    }
  }

  /** Writes what is buffered, retrying until `closeTimeoutMs`; what is still unwritten then is counted and reported. */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  /** @internal called by the client for every failed request. */
  onWriteFailed(error: Error, lines: string[]): void {
    if (this.disposed) return;
    this.lastFailure = describeWriteError(error);
    if (!isRetryable(error)) {
      this.dropped += lines.length;
      this.log.error(`InfluxDB at ${this.serverUrl} rejected ${lines.length} line(s), dropped: ${describeWriteError(error)}`);
      return;
    }
    if (!this.outage) {
      this.outage = { since: Date.now(), droppedAtStart: this.dropped, overflowLogged: false };
      this.log.warn(
        `cannot write to InfluxDB at ${this.serverUrl}: ${describeWriteError(error)}; ` +
          `keeping up to ${this.maxBufferLines} lines and retrying`,
      );
    }
  }

  /** @internal called by the client for every acknowledged request. */
  onWriteSuccess(lines: string[]): void {
    this.written += lines.length;
    if (this.outage && !this.disposed) this.endOutage('accepts writes again');
  }

  /** @internal called by the client when the full retry buffer drops its oldest lines. */
  onRetrySkipped(lines: string[]): void {
    if (this.disposed) return;
    this.dropped += lines.length;
    const outage = this.outage ?? (this.outage = { since: Date.now(), droppedAtStart: this.dropped - lines.length, overflowLogged: false });
    if (!outage.overflowLogged) {
      outage.overflowLogged = true;
      this.log.warn(
        `InfluxDB retry buffer is full (${this.maxBufferLines} lines): dropping the oldest lines until ${this.serverUrl} is back; ` +
          'the count follows when it recovers',
      );
    }
  }

  private endOutage(how: string): void {
    const outage = this.outage!;
    this.outage = null;
    const seconds = Math.round((Date.now() - outage.since) / 1000);
    const lost = this.dropped - outage.droppedAtStart;
    const message = `InfluxDB at ${this.serverUrl} ${how} after ${seconds} s` + (lost > 0 ? `; ${lost} line(s) were dropped meanwhile` : '');
    if (lost > 0) this.log.warn(message);
    else this.log.info(message);
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    // One request for all windows closed in the same tick (several interfaces).
    queueMicrotask(() => {
      this.flushQueued = false;
      const request = this.api.flush().catch(() => {
        // Already handled in onWriteFailed; the lines wait in the retry buffer.
      });
      this.inFlight.add(request);
      void request.finally(() => this.inFlight.delete(request));
    });
  }

  private async closeOnce(): Promise<void> {
    const deadline = Date.now() + this.closeTimeoutMs;
    // Requests already on the wire may fail back into the retry buffer: loop until nothing is pending.
    while (this.pendingLines > 0) {
      try {
        await beforeDeadline(Promise.all([this.api.flush(true), ...this.inFlight]), deadline);
      } catch {
        // The failure itself was recorded in onWriteFailed (or is the deadline).
      }
      const left = deadline - Date.now();
      if (this.pendingLines === 0 || left <= 0) break;
      await sleep(Math.min(250, left));
    }
    this.api.dispose();
    this.disposed = true;
    const unwritten = this.accepted - this.written - this.dropped;
    if (unwritten > 0) {
      this.dropped += unwritten;
      const reason = this.lastFailure ? `last error: ${this.lastFailure}` : `no answer within ${this.closeTimeoutMs} ms`;
      this.log.error(`${unwritten} line(s) could not be written to InfluxDB at ${this.serverUrl} before shutdown (${reason})`);
      this.outage = null;
    }
    if (this.outage) this.endOutage('was still unavailable at shutdown');
    this.log.flushSuppressed();
  }
}

class DeadlineExceeded extends Error {
  constructor() {
    super('timed out');
  }
}

function beforeDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DeadlineExceeded()), Math.max(0, deadline - Date.now()));
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Loads `@influxdata/influxdb-client` (only when the InfluxDB writer is on) and creates the sink.
 * Rejects with a clear message for an unusable URL.
 */
export async function createInfluxDbSink(options: InfluxDbSinkOptions): Promise<InfluxDbSink> {
  const serverUrl = influxServerUrl(options.url, options.port);
  const client = await import('@influxdata/influxdb-client');
  const log = options.log ?? silentLogger;
  // The client's own console messages would duplicate ours (and bypass Telegraf's prefixes).
  client.setLogger({
    error: (message: string) => log.debug(`influxdb-client: ${message}`),
    warn: (message: string) => log.debug(`influxdb-client: ${message}`),
  });
  let sink: InfluxDbSink | null = null;
  const api = new client.InfluxDB({
    url: serverUrl,
    token: options.token,
    timeout: options.requestTimeoutMs ?? INFLUXDB_DEFAULTS.requestTimeoutMs,
  }).getWriteApi(options.org, options.bucket, 'ns', {
    batchSize: 1_000,
    flushInterval: 0,
    maxBufferLines: options.maxBufferLines ?? INFLUXDB_DEFAULTS.maxBufferLines,
    maxRetries: UNLIMITED_RETRIES,
    maxRetryTime: UNLIMITED_RETRY_TIME_MS,
    minRetryDelay: options.retry?.minDelayMs ?? INFLUXDB_DEFAULTS.minRetryDelayMs,
    maxRetryDelay: options.retry?.maxDelayMs ?? INFLUXDB_DEFAULTS.maxRetryDelayMs,
    exponentialBase: 2,
    randomRetry: true,
    writeFailed: (error: Error, lines: string[]) => sink?.onWriteFailed(error, lines),
    writeSuccess: (lines: string[]) => sink?.onWriteSuccess(lines),
    writeRetrySkipped: (entry: { lines: string[] }) => sink?.onRetrySkipped(entry.lines),
  });
  sink = new InfluxDbSink(api, serverUrl, options);
  return sink;
}
