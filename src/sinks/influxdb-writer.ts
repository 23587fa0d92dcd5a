// The InfluxDB write queue: one bounded buffer of lines and one sender, so requests and connections stay bounded.
import type http from 'node:http';
import { createWriteAgent, postLines, type WriteOutcome, type WriteTarget } from './influxdb-http.js';

export type RetryOutcome = Extract<WriteOutcome, { kind: 'retry' }>;

/** What the writer tells its owner; every line accepted by push() ends in exactly one of written, rejected, overflowed or close()'s result. */
export interface LineWriterEvents {
  written(lines: number): void;
  /** The server refused the lines for good (4xx other than 408/429): they are dropped. */
  rejected(lines: number, reason: string): void;
  /** A request failed and its lines wait for the next attempt, `delayMs` from now. */
  retrying(outcome: RetryOutcome, delayMs: number): void;
  /** The buffer was full: its oldest waiting lines were dropped. */
  overflowed(lines: number): void;
}

export interface LineWriterOptions {
  readonly target: WriteTarget;
  /** Lines kept (waiting and in flight); beyond it the oldest waiting lines are dropped. */
  readonly maxBufferLines: number;
  readonly minRetryDelayMs: number;
  readonly maxRetryDelayMs: number;
  /** Deadline of one request, answer included. */
  readonly requestTimeoutMs: number;
  readonly events: LineWriterEvents;
}

/** InfluxDB's recommended batch size. */
const MAX_BATCH_LINES = 5_000;
/** Floor for a retry (`Retry-After: 0` must not become a busy loop) and ceiling for a server's Retry-After. */
const MIN_RETRY_MS = 100;
const MAX_RETRY_AFTER_MS = 3_600_000;
/** During close() our own backoff is capped so a few attempts still fit before the deadline. */
const CLOSING_MAX_BACKOFF_MS = 1_000;

/**
 * Sends queued lines to InfluxDB one request at a time over one keep-alive connection. Failed batches
 * stay at the head of the queue and are retried with exponential backoff, or after the server's
 * Retry-After; lines that arrive meanwhile wait and go out together in the next request.
 */
export class LineWriter {
  private readonly queue: string[] = [];
  private readonly agent: http.Agent;
  private readonly abort = new AbortController();
  private readonly maxBatchLines: number;
  /** Lines at the head of the queue that are on the wire (overflow never drops them). */
  private inFlight = 0;
  private failures = 0;
  private nextAttemptAt = 0;
  private retryAfterFromServer = false;
  private running = false;
  private startQueued = false;
  private current: Promise<unknown> | null = null;
  private wake: (() => void) | null = null;
  private readonly stopped: Array<() => void> = [];
  private deadline: number | null = null;
  private closed = false;
  private lastFailure: string | null = null;

  constructor(private readonly options: LineWriterOptions) {
    this.agent = createWriteAgent(options.target.serverUrl);
    // Half the buffer at most, so a new line can always push out an older one rather than itself.
    this.maxBatchLines = Math.max(1, Math.min(MAX_BATCH_LINES, Math.floor(options.maxBufferLines / 2)));
  }

  /** Lines waiting or in flight. */
  get queuedLines(): number {
    return this.queue.length;
  }

  push(line: string): void {
    if (this.closed) throw new Error('InfluxDB writer is closed');
    this.queue.push(line);
    const excess = this.queue.length - this.options.maxBufferLines;
    if (excess > 0) {
      this.queue.splice(this.inFlight, excess);
      this.options.events.overflowed(excess);
    }
    this.start();
  }

  /** Resolves once no request is on the wire and none is about to start (lines may still wait for a retry). */
  async idle(): Promise<void> {
    while (this.startQueued || this.current) {
      await (this.current ?? Promise.resolve());
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Sends what is queued until it is written or `timeoutMs` has passed (a request on the wire is cut off
   * then), and releases the connection. Resolves to the lines that could not be written, no longer
   * queued, for the owner to count, with the last failure, if any.
   */
  async close(timeoutMs: number): Promise<{ unwritten: number; lastFailure: string | null }> {
    if (this.closed) return { unwritten: 0, lastFailure: this.lastFailure };
    this.deadline = Date.now() + timeoutMs;
    // Our own backoff yields to shutdown; a server's Retry-After is honoured if it ends before the deadline.
    if (!this.retryAfterFromServer) this.nextAttemptAt = 0;
    this.wake?.();
    if (this.queue.length > 0) this.start();
    if (this.running || this.startQueued) {
      // Ref'd on purpose: these timers keep the process alive until the lines are out or the deadline has passed.
      const cutOff = setTimeout(() => this.abort.abort(new Error(`no answer within ${timeoutMs} ms of shutdown`)), timeoutMs);
      let backstop: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.stopped.push(resolve)),
        new Promise<void>((resolve) => (backstop = setTimeout(resolve, timeoutMs + 1_000))),
      ]);
      clearTimeout(cutOff);
      clearTimeout(backstop);
    }
    this.closed = true;
    this.abort.abort(new Error('closed'));
    const unwritten = this.queue.length;
    this.queue.length = 0;
    this.agent.destroy();
    return { unwritten, lastFailure: this.lastFailure };
  }

  private start(): void {
    if (this.running || this.startQueued) return;
    this.startQueued = true;
    // One request for all lines pushed in the same tick (several interfaces close their window together).
    queueMicrotask(() => {
      this.startQueued = false;
      if (this.running || this.closed) return;
      this.running = true;
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.abort.signal.aborted) {
        const wait = this.nextAttemptAt - Date.now();
        if (this.deadline !== null && (this.deadline - Date.now() <= 0 || this.nextAttemptAt > this.deadline)) return;
        if (wait > 0) {
          await this.sleep(wait);
          continue;
        }
        await this.sendBatch();
      }
    } finally {
      this.running = false;
      for (const resolve of this.stopped.splice(0)) resolve();
    }
  }

  private async sendBatch(): Promise<void> {
    const batch = this.queue.slice(0, this.maxBatchLines);
    this.inFlight = batch.length;
    const timeoutMs = this.deadline === null ? this.options.requestTimeoutMs : Math.max(1, Math.min(this.options.requestTimeoutMs, this.deadline - Date.now()));
    let outcome: WriteOutcome;
    try {
      const request = postLines(this.options.target, batch.join('\n'), this.agent, timeoutMs, this.abort.signal);
      this.current = request;
      outcome = await request;
    } catch (error) {
      // postLines settles every failure as an outcome; anything else is a bug, and the lines are still counted.
      outcome = { kind: 'rejected', reason: `internal error: ${(error as Error).message}` };
    } finally {
      this.current = null;
      this.inFlight = 0;
    }
    const { events } = this.options;
    switch (outcome.kind) {
      case 'written':
        this.queue.splice(0, batch.length);
        this.failures = 0;
        this.nextAttemptAt = 0;
        this.retryAfterFromServer = false;
        this.lastFailure = null;
        events.written(batch.length);
        break;
      case 'rejected':
        this.lastFailure = outcome.reason;
        this.queue.splice(0, batch.length);
        events.rejected(batch.length, outcome.reason);
        break;
      case 'retry': {
        this.lastFailure = outcome.reason;
        // Cut off by close(): the owner reports these lines as unwritten, not as a new outage.
        if (this.abort.signal.aborted) break;
        this.failures++;
        const delayMs = this.retryDelay(outcome.retryAfterMs);
        this.nextAttemptAt = Date.now() + delayMs;
        this.retryAfterFromServer = outcome.retryAfterMs !== null;
        events.retrying(outcome, delayMs);
        break;
      }
    }
  }

  /** The server's Retry-After when it sent one; otherwise exponential backoff with jitter (half to full step). */
  private retryDelay(retryAfterMs: number | null): number {
    if (retryAfterMs !== null) return Math.min(MAX_RETRY_AFTER_MS, Math.max(MIN_RETRY_MS, retryAfterMs));
    const { minRetryDelayMs, maxRetryDelayMs } = this.options;
    const cap = this.deadline === null ? maxRetryDelayMs : Math.min(maxRetryDelayMs, CLOSING_MAX_BACKOFF_MS);
    const step = Math.min(cap, minRetryDelayMs * 2 ** Math.min(this.failures - 1, 30));
    return Math.max(MIN_RETRY_MS, Math.round(step * (0.5 + Math.random() / 2)));
  }

  /** Waits for the next attempt; close() ends it early. Unref'd until close(): then a deadline bounds it and it must hold the process. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.abort.signal.removeEventListener('abort', done);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      if (this.deadline === null) timer.unref();
      this.wake = done;
      this.abort.signal.addEventListener('abort', done, { once: true });
    });
  }
}
