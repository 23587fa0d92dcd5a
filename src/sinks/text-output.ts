/** Bytes a data sink lets wait for a slow reader before it drops whole windows (hours of windows at one a second). */
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** The part of a writable stream a text output needs (process.stdout or process.stderr in production). */
export interface TextStream {
  write(chunk: string, callback?: (error?: Error | null) => void): boolean;
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** Bytes written but not yet taken by the reader; absent or 0 for synchronous streams (files, TTYs). */
  readonly writableLength?: number;
}

export interface TextOutputOptions {
  /** The stream's name in messages, e.g. 'stdout'. */
  streamName?: string;
  /** Most bytes left waiting for the reader; a text that would go beyond is dropped whole and counted. */
  maxBufferedBytes?: number;
  /** Said once, when the reader first falls behind the bound. */
  warn?: (message: string) => void;
}

/**
 * Whole texts (one per window) onto a stream that may fail or fall behind: each text is handed over
 * entirely or counted as lost; a failed stream is never written again, and nothing waits beyond the bound.
 */
export class TextOutput {
  private readonly stream: TextStream;
  private readonly streamName: string;
  private readonly maxBufferedBytes: number;
  private readonly warn: (message: string) => void;
  private failure: Error | null = null;
  private waiting = 0;
  private lostTexts = 0;
  private saidBacklog = false;
  private settledLost: number | null = null;
  private onIdle: (() => void) | null = null;

  constructor(stream: TextStream, options: TextOutputOptions = {}) {
    this.stream = stream;
    this.streamName = options.streamName ?? 'the output';
    this.maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.warn = options.warn ?? (() => {});
    // The listener also keeps an 'error' from crashing the process; the run says the failure once elsewhere.
    stream.on('error', (error) => (this.failure ??= error));
  }

  /** Hands `text` to the stream; false when it was dropped (stream failed, reader too far behind) and counted. */
  write(text: string): boolean {
    if (this.failure || this.settledLost !== null) {
      this.lostTexts++;
      return false;
    }
    const buffered = this.stream.writableLength ?? 0;
    if (buffered > 0 && buffered + Buffer.byteLength(text) > this.maxBufferedBytes) {
      this.lostTexts++;
      if (!this.saidBacklog) {
        this.saidBacklog = true;
        this.warn(
          `the reader of ${this.streamName} is not keeping up (${buffered} bytes waiting); windows beyond ${this.maxBufferedBytes} bytes are dropped and counted until it catches up — read ${this.streamName} faster`,
        );
      }
      return false;
    }
    this.waiting++;
    this.stream.write(text, (error) => {
      this.waiting--;
      if (error) {
        this.failure ??= error;
        this.lostTexts++;
      }
      if (this.waiting === 0) this.onIdle?.();
    });
    return true;
  }

  /** The stream's first error, once it failed. */
  get failed(): Error | null {
    return this.failure;
  }

  /** Texts not delivered: dropped, failed, and those still waiting when settle() gave up. */
  get lost(): number {
    return this.settledLost ?? this.lostTexts;
  }

  /** Waits (at most `timeoutMs`) until the reader took every text; what still waits then counts as lost. */
  async settle(timeoutMs: number): Promise<void> {
    if (this.settledLost !== null) return;
    if (this.waiting > 0 && !this.failure) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.onIdle = resolve;
        timer = setTimeout(resolve, timeoutMs);
        timer.unref();
      });
      clearTimeout(timer);
      this.onIdle = null;
    }
    this.settledLost = this.lostTexts + this.waiting;
  }
}
