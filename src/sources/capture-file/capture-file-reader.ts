import { detectCapture, SNIFF_LENGTH, type CaptureFormat } from './capture-file-format.js';
import { MAX_RECORD_LENGTH, type RecordParser } from './capture-file-parser.js';
import type { CaptureFileProblems } from './capture-file-problems.js';
import type { FrameConsumer } from '../../packets/frame-consumer.js';

/** Smallest working buffer: a pcap header plus a record header, so detection never needs to grow it. */
export const MIN_CHUNK_SIZE = 64;
/** Largest working buffer a caller may ask for. */
export const MAX_CHUNK_SIZE = 64 << 20;

/**
 * One reused working buffer between a byte stream and a record parser. Bytes are written at `filled`
 * (read straight into it, or appended from inflated chunks); complete records are parsed in place; the
 * incomplete tail moves to the front. The buffer grows at most once, to the largest record allowed.
 */
export class CaptureFileReader {
  buffer: Buffer;
  filled = 0;
  stopped = false;
  format: CaptureFormat | null = null;
  private view: DataView;
  private parser: RecordParser | null = null;
  /** Stream offset of buffer[0]. */
  private base = 0;
  /** Bytes still to drop unread (a large harmless block being skipped). */
  private discard = 0;
  private readonly name: string;
  private readonly consumer: FrameConsumer;
  private readonly problems: CaptureFileProblems;

  constructor(name: string, consumer: FrameConsumer, problems: CaptureFileProblems, chunkSize: number) {
    this.name = name;
    this.consumer = consumer;
    this.problems = problems;
    this.buffer = Buffer.allocUnsafeSlow(Number.isFinite(chunkSize) ? Math.min(MAX_CHUNK_SIZE, Math.max(MIN_CHUNK_SIZE, Math.floor(chunkSize))) : MIN_CHUNK_SIZE);
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
  }

  get frames(): number {
    return this.parser ? this.parser.frames : 0;
  }

  get bytes(): number {
    return this.parser ? this.parser.bytes : 0;
  }

  /** Bytes of the (uncompressed) stream received so far. */
  get position(): number {
    return this.base + this.filled;
  }

  /** Free space after `filled`; always positive until the reader stops. */
  get room(): number {
    return this.buffer.length - this.filled;
  }

  /** Copies a chunk from a stream (the gzip path), parsing as the buffer fills. */
  append(chunk: Uint8Array): void {
    let from = 0;
    while (from < chunk.length && !this.stopped) {
      const n = Math.min(this.room, chunk.length - from);
      this.buffer.set(chunk.subarray(from, from + n), this.filled);
      from += n;
      this.commit(n);
    }
  }

  /** Takes `n` new bytes written at `filled`, delivers every complete record and keeps the tail. */
  commit(n: number): void {
    this.filled += n;
    if (this.discard > 0) this.dropFront(Math.min(this.discard, this.filled), true);
    if (this.parser === null) {
      if (this.filled < SNIFF_LENGTH) return;
      this.detect();
    }
    const parser = this.parser!;
    const pos = parser.parse(this.buffer, this.view, 0, this.filled, this.base);
    if (parser.stopped) {
      this.stopped = true;
      return;
    }
    if (pos > this.filled) {
      this.discard = pos - this.filled;
      this.dropFront(this.filled, false);
    } else {
      this.dropFront(pos, false);
    }
    if (parser.needed > this.buffer.length) this.grow(parser.needed);
  }

  /** End of stream: recognises a short file, then counts a record cut off by the end. */
  end(): void {
    if (this.stopped) return;
    if (this.parser === null) {
      this.detect();
      this.commit(0);
      if (this.stopped) return;
    }
    // The input ended before its last record did: what came after the cut is missing, so the replay is incomplete.
    if (this.discard > 0) {
      this.problems.cutShort('truncated last record', this.base, `a skipped block lacks its last ${this.discard} bytes`);
    } else if (this.filled > 0) {
      this.problems.cutShort('truncated last record', this.base, `${this.filled} of ${this.parser!.needed} bytes present`);
    }
  }

  /** Parses the file header; throws CaptureFileError before any frame if this is not a capture. */
  private detect(): void {
    const found = detectCapture(this.view, this.filled, this.name, this.consumer, this.problems);
    this.parser = found.parser;
    this.format = found.format;
    this.dropFront(found.headerLength, false);
  }

  /** Moves buffer[count, filled) to the front. */
  private dropFront(count: number, discarding: boolean): void {
    if (count === 0) return;
    if (count < this.filled) this.buffer.copyWithin(0, count, this.filled);
    this.filled -= count;
    this.base += count;
    if (discarding) this.discard -= count;
  }

  private grow(needed: number): void {
    if (needed > MAX_RECORD_LENGTH) {
      // Parsers refuse such lengths themselves; this guards the memory bound if one ever does not.
      this.problems.stop('absurd record length', this.base, `${needed} bytes claimed`);
      this.stopped = true;
      return;
    }
    const bigger = Buffer.allocUnsafeSlow(MAX_RECORD_LENGTH);
    this.buffer.copy(bigger, 0, 0, this.filled);
    this.buffer = bigger;
    this.view = new DataView(bigger.buffer, bigger.byteOffset, bigger.byteLength);
  }
}
