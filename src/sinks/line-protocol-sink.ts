import type { WindowReport } from '../report/window-report.js';
import { rateLimited, silentLogger, type Logger, type RateLimitedLogger } from '../log.js';
import { windowToLines } from './line-protocol.js';
import type { Sink } from './sink.js';
import { TextOutput, type TextStream } from './text-output.js';

/** The part of a writable stream the sink needs (process.stdout in production). */
export type LineOutput = TextStream;

export interface LineProtocolSinkOptions {
  /** Where lines go; default process.stdout, which must carry nothing else. */
  output?: LineOutput;
  /** Receives warnings (stderr, Telegraf prefixes); default silent. */
  log?: Logger;
  /** Longest wait in close() for the output to take the last line. */
  closeTimeoutMs?: number;
  /** Most bytes left waiting for a slow reader (Telegraf); a line beyond is dropped and counted. */
  maxBufferedBytes?: number;
}

/**
 * Influx line protocol on stdout for Telegraf's `inputs.execd`: one line per window, written with one
 * `write()` as soon as the window closes, without a `host` tag (Telegraf adds its own). A line the output
 * fails to take (Telegraf gone, disk full) or that would wait beyond the bound is counted, never retried.
 */
export class LineProtocolSink implements Sink {
  readonly name = 'line protocol (stdout)';
  private readonly output: TextOutput;
  private readonly log: RateLimitedLogger;
  private readonly closeTimeoutMs: number;
  private closed = false;
  private lines = 0;
  private skipped = 0;

  constructor(options: LineProtocolSinkOptions = {}) {
    this.log = rateLimited(options.log ?? silentLogger, { burst: 5, intervalMs: 60_000 });
    this.output = new TextOutput(options.output ?? process.stdout, {
      streamName: 'stdout',
      maxBufferedBytes: options.maxBufferedBytes,
      warn: (message) => this.log.warn(message),
    });
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
  }

  /** Lines handed to the output. */
  get writtenLines(): number {
    return this.lines;
  }

  /** Windows that could not be written (time out of range, output failed or too far behind). */
  get skippedWindows(): number {
    return this.skipped + this.output.lost;
  }

  write(report: WindowReport): void {
    if (this.closed) {
      this.skipped++;
      return;
    }
    let line: string;
    try {
      line = windowToLines(report).join('\n');
    } catch (error) {
      this.skipped++;
      this.log.warn(`window ${describe(report)} skipped: ${(error as Error).message}`);
      return;
    }
    if (this.output.write(line + '\n')) this.lines++;
  }

  /** Waits (bounded) until the output has taken every line. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.log.flushSuppressed();
    await this.output.settle(this.closeTimeoutMs);
    // The output's error listener stays: a late EPIPE after close must not crash the process either.
  }

  /** Windows not delivered; read after close(). */
  lost(): number {
    return this.skippedWindows;
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
