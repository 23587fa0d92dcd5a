import type { WindowReport } from '../report/window-report.js';
import { rateLimited, silentLogger, type Logger, type RateLimitedLogger } from '../log.js';
import { windowToLine } from './line-protocol.js';
import type { Sink } from './sink.js';

/** The part of a writable stream the sink needs (process.stdout in production). */
export interface LineOutput {
  write(chunk: string, callback?: (error?: Error | null) => void): boolean;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface LineProtocolSinkOptions {
  /** Where lines go; default process.stdout, which must carry nothing else. */
  output?: LineOutput;
  /** Receives warnings (stderr, Telegraf prefixes); default silent. */
  log?: Logger;
  /** Longest wait in close() for the output to take the last line. */
  closeTimeoutMs?: number;
}

/**
 * Influx line protocol on stdout for Telegraf's `inputs.execd`: one line per window, written with one
 * `write()` as soon as the window closes, without a `host` tag (Telegraf adds its own).
 */
export class LineProtocolSink implements Sink {
  readonly name = 'line protocol (stdout)';
  private readonly output: LineOutput;
  private readonly log: RateLimitedLogger;
  private readonly closeTimeoutMs: number;
  private broken: Error | null = null;
  private closed = false;
  private lines = 0;
  /** Settles when the output has taken the last line. */
  private lastWrite: Promise<void> = Promise.resolve();
  private skipped = 0;
  private readonly onError = (error: Error): void => {
    // Telegraf went away (EPIPE): stop writing instead of crashing on an unhandled 'error'.
    if (!this.broken) this.log.error(`cannot write line protocol to stdout: ${error.message}; no more lines will be written`);
    this.broken = error;
  };

  constructor(options: LineProtocolSinkOptions = {}) {
    this.output = options.output ?? process.stdout;
    this.log = rateLimited(options.log ?? silentLogger, { burst: 5, intervalMs: 60_000 });
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
    this.output.on('error', this.onError);
  }

  /** Lines handed to the output. */
  get writtenLines(): number {
    return this.lines;
  }

  /** Windows that could not be written (time out of range, output broken). */
  get skippedWindows(): number {
    return this.skipped;
  }

  write(report: WindowReport): void {
    if (this.closed || this.broken) {
      this.skipped++;
      return;
    }
    let line: string;
    try {
      line = windowToLine(report);
    } catch (error) {
      this.skipped++;
      this.log.warn(`window ${describe(report)} skipped: ${(error as Error).message}`);
      return;
    }
    this.lastWrite = new Promise<void>((resolve) => this.output.write(line + '\n', () => resolve()));
    this.lines++;
  }

  /** Waits (bounded) until the output has taken every line. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.log.flushSuppressed();
    if (!this.broken) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.closeTimeoutMs);
        timer.unref();
      });
      await Promise.race([this.lastWrite, timeout]);
      clearTimeout(timer);
    }
    // The error listener stays: a late EPIPE after close must not crash the process either.
  }
}

function describe(report: WindowReport): string {
  const end = Number.isFinite(report.end.getTime()) ? report.end.getTime() : 'invalid';
  return `${JSON.stringify(report.interface)} ending at ${end} ms`;
}

/** Creates the stdout sink for `--lineProtocol`. */
export function createLineProtocolSink(options: LineProtocolSinkOptions = {}): LineProtocolSink {
  return new LineProtocolSink(options);
}
