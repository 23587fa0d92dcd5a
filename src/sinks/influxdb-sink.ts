import { validateHeaderValue } from 'node:http';
import { hostname } from 'node:os';
import type { WindowReport } from '../report/window-report.js';
import { redactUrl } from '../redact-url.js';
import { rateLimited, silentLogger, type Logger, type RateLimitedLogger } from '../log.js';
import { influxServerUrl, refusedPortHint } from './influxdb-server.js';
import { LineWriter, type RetryOutcome } from './influxdb-writer.js';
import { windowToLines } from './line-protocol.js';
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
  /** Lines kept (waiting for the server or in flight); beyond it the oldest waiting lines are dropped and counted. */
  maxBufferLines?: number;
  /** Longest time close() spends writing what is still buffered. */
  closeTimeoutMs?: number;
  /** Backoff between retries when the server sends no Retry-After: starts near minDelayMs, grows to maxDelayMs. */
  retry?: { minDelayMs?: number; maxDelayMs?: number };
  /** Deadline of one HTTP request, the answer included. */
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

interface Outage {
  since: number;
  droppedAtStart: number;
  overflowLogged: boolean;
}

/** A run of rejected requests: said once at its start, totalled when it ends. */
interface Rejection {
  reported: number;
  total: number;
}

/**
 * Writes one line per window to InfluxDB 2 (`/api/v2/write`, ns precision, `host` tag), one request at a
 * time over one connection. While the server is away, lines wait in a bounded buffer; lines it drops,
 * lines the server rejects and lines still unwritten at close are counted in `droppedLines` and said once.
 */
export class InfluxDbSink implements Sink {
  readonly name = 'InfluxDB';
  private readonly writer: LineWriter;
  private readonly host: string;
  private readonly maxBufferLines: number;
  private readonly closeTimeoutMs: number;
  private readonly log: RateLimitedLogger;
  private accepted = 0;
  private written = 0;
  private dropped = 0;
  private skipped = 0;
  private outage: Outage | null = null;
  private rejection: Rejection | null = null;
  /** The reason of the last rejection, for its total. */
  private lastRejection = '';
  private closing: Promise<void> | null = null;

  /** The server's URL as messages show it: never its user-info. */
  private readonly shownUrl: string;

  /** @internal use createInfluxDbSink. */
  constructor(
    serverUrl: string,
    options: InfluxDbSinkOptions,
  ) {
    this.shownUrl = redactUrl(serverUrl);
    this.host = options.host ?? hostname();
    this.maxBufferLines = options.maxBufferLines ?? INFLUXDB_DEFAULTS.maxBufferLines;
    this.closeTimeoutMs = options.closeTimeoutMs ?? INFLUXDB_DEFAULTS.closeTimeoutMs;
    this.log = rateLimited(options.log ?? silentLogger, { burst: 5, intervalMs: 60_000 });
    this.writer = new LineWriter({
      target: { serverUrl, org: options.org, bucket: options.bucket, token: options.token },
      maxBufferLines: this.maxBufferLines,
      minRetryDelayMs: options.retry?.minDelayMs ?? INFLUXDB_DEFAULTS.minRetryDelayMs,
      maxRetryDelayMs: options.retry?.maxDelayMs ?? INFLUXDB_DEFAULTS.maxRetryDelayMs,
      requestTimeoutMs: options.requestTimeoutMs ?? INFLUXDB_DEFAULTS.requestTimeoutMs,
      events: {
        written: (lines) => this.onWritten(lines),
        rejected: (lines, reason) => this.onRejected(lines, reason),
        retrying: (outcome) => this.onRetrying(outcome),
        overflowed: (lines) => this.onOverflow(lines),
      },
    });
  }

  /** Lines lost: pushed out of the full buffer, rejected by the server, or unwritten at close. */
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
    let lines: string[];
    try {
      lines = windowToLines(report, { host: this.host });
    } catch (error) {
      this.skipped++;
      this.log.warn(`InfluxDB: window of ${JSON.stringify(report.interface)} skipped: ${(error as Error).message}`);
      return;
    }
    this.accepted++;
    for (const line of lines) this.writer.push(line);
  }

  /** Resolves once no request is on the wire (lines that failed then wait for their retry). */
  idle(): Promise<void> {
    return this.writer.idle();
  }

  /** Writes what is buffered, retrying until `closeTimeoutMs`; what is still unwritten then is counted and reported. */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    const { unwritten, lastFailure } = await this.writer.close(this.closeTimeoutMs);
    this.endRejection();
    if (unwritten > 0) {
      this.dropped += unwritten;
      const reason = lastFailure ? `last error: ${lastFailure}` : `no answer within ${this.closeTimeoutMs} ms`;
      this.log.error(`${unwritten} line(s) could not be written to InfluxDB at ${this.shownUrl} before shutdown (${reason})`);
      this.outage = null;
    }
    if (this.outage) this.endOutage('was still unavailable at shutdown');
    this.log.flushSuppressed();
  }

  private onWritten(lines: number): void {
    this.written += lines;
    this.endRejection();
    if (this.outage) this.endOutage('accepts writes again');
  }

  private onRejected(lines: number, reason: string): void {
    this.dropped += lines;
    this.lastRejection = reason;
    if (this.rejection) {
      this.rejection.total += lines;
      return;
    }
    this.rejection = { reported: lines, total: lines };
    this.log.error(`InfluxDB at ${this.shownUrl} rejected ${lines} line(s), dropped: ${reason}`);
  }

  private endRejection(): void {
    const rejection = this.rejection;
    this.rejection = null;
    if (rejection && rejection.total > rejection.reported) {
      this.log.error(`InfluxDB at ${this.shownUrl} rejected ${rejection.total} line(s) in all, dropped: ${this.lastRejection}`);
    }
  }

  private onRetrying(outcome: RetryOutcome): void {
    if (this.outage) return;
    this.outage = { since: Date.now(), droppedAtStart: this.dropped, overflowLogged: false };
    const hint = outcome.refused ? refusedPortHint(this.shownUrl) : '';
    this.log.warn(`cannot write to InfluxDB at ${this.shownUrl}: ${outcome.reason}${hint}; keeping up to ${this.maxBufferLines} lines and retrying`);
  }

  private onOverflow(lines: number): void {
    this.dropped += lines;
    const outage = this.outage ?? (this.outage = { since: Date.now(), droppedAtStart: this.dropped - lines, overflowLogged: false });
    if (!outage.overflowLogged) {
      outage.overflowLogged = true;
      this.log.warn(
        `InfluxDB buffer is full (${this.maxBufferLines} lines): dropping the oldest lines until ${this.shownUrl} keeps up; ` +
          'the count follows when it does',
      );
    }
  }

  private endOutage(how: string): void {
    const outage = this.outage!;
    this.outage = null;
    const seconds = Math.round((Date.now() - outage.since) / 1000);
    const lost = this.dropped - outage.droppedAtStart;
    const message = `InfluxDB at ${this.shownUrl} ${how} after ${seconds} s` + (lost > 0 ? `; ${lost} line(s) were dropped meanwhile` : '');
    if (lost > 0) this.log.warn(message);
    else this.log.info(message);
  }
}

/**
 * Creates the sink. Rejects with a clear message for an unusable URL or a token an HTTP header cannot
 * carry (the configuration refuses both first; this guards library use).
 */
export async function createInfluxDbSink(options: InfluxDbSinkOptions): Promise<InfluxDbSink> {
  const serverUrl = influxServerUrl(options.url, options.port);
  try {
    validateHeaderValue('Authorization', `Token ${options.token}`);
  } catch {
    throw new Error('the InfluxDB token contains a character an HTTP header cannot carry (a control character such as \\r); remove it');
  }
  return new InfluxDbSink(serverUrl, options);
}
