import { redactUrl } from './redact-url.js';

/** Severity of a log message; Telegraf reads the matching `E!`/`W!`/`I!`/`D!` prefix from stderr. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** Where Peng's messages go. stdout never: it may carry line protocol or JSON. */
export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

export interface LoggerOptions {
  /** Telegraf `inputs.execd` style: `E! message` instead of `peng: message`. */
  telegraf?: boolean;
  /** Emit debug messages (otherwise dropped). */
  debug?: boolean;
  /** Receives each finished, newline-terminated text; default writes to stderr. */
  write?: (text: string) => void;
}

const TELEGRAF_PREFIX: Record<LogLevel, string> = { error: 'E! ', warn: 'W! ', info: 'I! ', debug: 'D! ' };
const PLAIN_PREFIX: Record<LogLevel, string> = {
  error: 'peng: ',
  warn: 'peng: warning: ',
  info: 'peng: ',
  debug: 'peng: debug: ',
};

// Control characters from hostile input (file names, server replies) must not forge lines or move the cursor.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f\u0080-\u009f]/g;

/** A hostile text (a capture file name) for one console line: every control character becomes `?`. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
}

/** Prefixes every line of `message`, so a multi-line text (a stack trace) stays one message per line. */
export function formatLogLines(level: LogLevel, message: string, telegraf: boolean): string {
  const prefix = (telegraf ? TELEGRAF_PREFIX : PLAIN_PREFIX)[level];
  // The URL redaction is a safety net: a library's error text may quote a URL with its user-info.
  const lines = redactUrl(message).replace(CONTROL, '?').split('\n');
  while (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => prefix + line + '\n').join('');
}

/** A logger that writes to stderr with Telegraf's prefixes when `telegraf` is set, `peng: ` otherwise. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const telegraf = options.telegraf ?? false;
  const write = options.write ?? ((text: string) => void process.stderr.write(text));
  const emit = (level: LogLevel) => (message: string) => write(formatLogLines(level, message, telegraf));
  return {
    error: emit('error'),
    warn: emit('warn'),
    info: emit('info'),
    debug: options.debug ? emit('debug') : () => {},
  };
}

/** A logger that discards everything (library use without a logger). */
export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };

export interface RateLimitOptions {
  /** Messages let through per interval. */
  burst: number;
  /** Interval length in milliseconds. */
  intervalMs: number;
  /** Clock, injectable for tests. */
  now?: () => number;
}

/** Counts messages per interval so traffic-driven messages cannot flood the log (scanlogd's rule). */
export class LogRateLimit {
  private readonly burst: number;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private intervalStart = Number.NEGATIVE_INFINITY;
  private passed = 0;
  private suppressedCount = 0;

  constructor(options: RateLimitOptions) {
    if (!(options.burst >= 1) || !(options.intervalMs > 0)) {
      throw new RangeError(`rate limit needs burst >= 1 and intervalMs > 0, got ${options.burst} and ${options.intervalMs}`);
    }
    this.burst = Math.floor(options.burst);
    this.intervalMs = options.intervalMs;
    this.now = options.now ?? Date.now;
  }

  /**
   * Decides one message. Returns -1 when it must be dropped; otherwise the number of messages dropped
   * since the last one that passed (0 usually), which the caller reports alongside.
   */
  take(): number {
    const now = this.now();
    if (now - this.intervalStart >= this.intervalMs) {
      this.intervalStart = now;
      this.passed = 0;
    }
    if (this.passed >= this.burst) {
      this.suppressedCount++;
      return -1;
    }
    this.passed++;
    const dropped = this.suppressedCount;
    this.suppressedCount = 0;
    return dropped;
  }

  /** Messages dropped and not yet reported. */
  get suppressed(): number {
    return this.suppressedCount;
  }

  /** Returns and forgets the dropped count (for a closing summary). */
  drainSuppressed(): number {
    const dropped = this.suppressedCount;
    this.suppressedCount = 0;
    return dropped;
  }
}

/** A logger whose messages share one rate limit; dropped ones are counted and mentioned with the next that passes. */
export interface RateLimitedLogger extends Logger {
  /** Reports messages still held back (call at shutdown). */
  flushSuppressed(): void;
}

/** Wraps `logger` so that at most `burst` messages per `intervalMs` get through. */
export function rateLimited(logger: Logger, options: RateLimitOptions): RateLimitedLogger {
  const limit = new LogRateLimit(options);
  const seconds = options.intervalMs / 1000;
  const gate = (level: LogLevel) => (message: string) => {
    const dropped = limit.take();
    if (dropped < 0) return;
    logger[level](dropped > 0 ? `${message} (${dropped} similar messages suppressed)` : message);
  };
  return {
    error: gate('error'),
    warn: gate('warn'),
    info: gate('info'),
    debug: gate('debug'),
    flushSuppressed() {
      const dropped = limit.drainSuppressed();
      if (dropped > 0) logger.warn(`${dropped} similar messages suppressed (limit ${options.burst} per ${seconds} s)`);
    },
  };
}
