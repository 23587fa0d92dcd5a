import zlib from 'node:zlib';
import { isGzipMagic, MAX_GZIP_HEADER, parseGzipHeader } from './gzip-header.js';

/** Called once per damage found; `stops` when no more data can be inflated after it. */
export type GzipDamageHandler = (kind: string, detail: string, stops: boolean) => void;

type State = 'header' | 'body' | 'trailer' | 'garbage';

const TRAILER_LENGTH = 8;
/** Inflated chunk size: the output of a zlib call is delivered before the next call, damage or not. */
const OUTPUT_CHUNK_SIZE = 64 * 1024;
const EMPTY = Buffer.alloc(0);

/** zlib.crc32 arrived in Node 20.15; older Nodes get a table-driven one. */
const crc32: (data: Uint8Array, value: number) => number = typeof zlib.crc32 === 'function' ? zlib.crc32 : tableCrc32;

/**
 * Inflates gzip the way `gzip -d` reads it, member by member, with the framing (header, CRC-32, length,
 * trailing bytes) handled here and only the deflate data given to zlib. Node's Gunzip drops the output of
 * the zlib call that meets damage, so a bad checksum or trailing garbage lost the last frames (all of them
 * in a small file); here every inflated byte reaches `onData` before damage is reported.
 */
export class GzipDecoder {
  /** No more input is wanted: damage stopped inflating, or the caller did. */
  finished = false;
  private state: State = 'header';
  /** Header or trailer bytes collected across chunks. */
  private pending: Buffer = EMPTY;
  private inflater: zlib.InflateRaw | null = null;
  private inflaterEnded = false;
  private crc = 0;
  private size = 0;
  private members = 0;
  /** Compressed offset of the first byte of the chunk being written. */
  private chunkOffset = 0;
  private garbageStart = 0;
  private garbageBytes = 0;
  private waiting: { resolve: () => void; reject: (error: unknown) => void } | null = null;
  private failure: unknown = null;
  private readonly onData: (chunk: Buffer) => void;
  private readonly onDamage: GzipDamageHandler;

  constructor(onData: (chunk: Buffer) => void, onDamage: GzipDamageHandler) {
    this.onData = onData;
    this.onDamage = onDamage;
  }

  /** Compressed bytes given so far. */
  get compressedBytes(): number {
    return this.chunkOffset;
  }

  /** Inflates `chunk`, delivering its output; rejects only with an error thrown by `onData`. */
  async write(chunk: Buffer): Promise<void> {
    let pos = 0;
    while (pos < chunk.length && !this.finished) {
      if (this.state === 'garbage') {
        this.garbageBytes += chunk.length - pos;
        pos = chunk.length;
      } else if (this.state === 'body') {
        pos += await this.inflate(chunk.subarray(pos));
      } else if (this.state === 'trailer') {
        pos += this.collectTrailer(chunk.subarray(pos), pos);
      } else {
        pos += this.collectHeader(chunk.subarray(pos), pos);
      }
    }
    this.chunkOffset += chunk.length;
    if (this.failure !== null) throw this.failure;
  }

  /** End of input: flushes what zlib holds, then reports a member cut short or trailing bytes. */
  async end(): Promise<void> {
    if (this.finished) return;
    const at = this.chunkOffset;
    if (this.state === 'body') {
      await this.flushTruncated();
      if (this.failure !== null) throw this.failure;
      if (this.finished) return;
      this.damage('truncated compressed data', `the input ends inside the deflate data of gzip member ${this.members + 1}, at compressed byte ${at}`, true);
    } else if (this.state === 'trailer') {
      this.damage('truncated compressed data', `the input ends inside the trailer of gzip member ${this.members + 1}, at compressed byte ${at}; its data was all read`, true);
    } else if (this.state === 'garbage') {
      this.reportGarbage();
    } else if (this.pending.length > 0) {
      if (this.members > 0 && !(this.pending.length >= 2 && isGzipMagic(this.pending))) {
        this.garbageStart = at - this.pending.length;
        this.garbageBytes = this.pending.length;
        this.reportGarbage();
      } else {
        this.damage('truncated compressed data', `the input ends inside the header of gzip member ${this.members + 1}, at compressed byte ${at}`, true);
      }
    }
    this.finished = true;
  }

  /** Stops inflating at once (the reader stopped or the caller aborted). */
  stop(): void {
    this.finished = true;
    this.inflater?.destroy();
    this.inflater = null;
    this.settle(null);
  }

  private collectHeader(piece: Buffer, offsetInChunk: number): number {
    const had = this.pending.length;
    const take = piece.subarray(0, Math.max(0, MAX_GZIP_HEADER - had));
    const buf = had === 0 ? take : Buffer.concat([this.pending, take]);
    const result = parseGzipHeader(buf);
    if ('length' in result) {
      this.pending = EMPTY;
      this.startMember();
      return result.length - had;
    }
    if ('need' in result && take.length === piece.length) {
      this.pending = Buffer.from(buf); // a copy: the chunk's buffer is reused by the caller
      return piece.length;
    }
    const at = this.chunkOffset + offsetInChunk - had;
    if (this.members > 0 && 'damage' in result && result.damage === 'no gzip magic') {
      // After a complete member, bytes that start no member are trailing garbage: gzip warns and ignores them.
      this.state = 'garbage';
      this.garbageStart = at;
      this.garbageBytes = had;
      this.pending = EMPTY;
      return 0;
    }
    const why = 'damage' in result ? result.damage : 'header longer than any gzip writes';
    this.damage('damaged compressed data', `gzip member ${this.members + 1} at compressed byte ${at}: ${why}`, true);
    this.finished = true;
    return piece.length;
  }

  private collectTrailer(piece: Buffer, offsetInChunk: number): number {
    const had = this.pending.length;
    const take = piece.subarray(0, TRAILER_LENGTH - had);
    this.pending = Buffer.concat([this.pending, take]);
    if (this.pending.length < TRAILER_LENGTH) return take.length;
    const expectedCrc = this.pending.readUInt32LE(0);
    const expectedSize = this.pending.readUInt32LE(4);
    const at = this.chunkOffset + offsetInChunk - had;
    this.members++;
    if (expectedCrc !== this.crc) {
      this.damage('gzip checksum mismatch', `member ${this.members} trailer at compressed byte ${at}: CRC-32 ${hex(expectedCrc)} stored, ${hex(this.crc)} computed; its data was kept`, false);
    } else if (expectedSize !== this.size) {
      this.damage('gzip length mismatch', `member ${this.members} trailer at compressed byte ${at}: ${expectedSize} bytes stored, ${this.size} inflated; its data was kept`, false);
    }
    this.pending = EMPTY;
    this.state = 'header';
    return take.length;
  }

  private startMember(): void {
    this.state = 'body';
    this.crc = 0;
    this.size = 0;
    this.inflaterEnded = false;
    // Z_SYNC_FLUSH at the end: a cut stream yields all it holds instead of failing and dropping it.
    const inflater = zlib.createInflateRaw({ chunkSize: OUTPUT_CHUNK_SIZE, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    inflater.on('data', (out: Buffer) => {
      this.crc = crc32(out, this.crc);
      this.size = (this.size + out.length) >>> 0;
      try {
        this.onData(out);
      } catch (error) {
        this.failure = error;
        this.stop();
      }
    });
    inflater.on('end', () => (this.inflaterEnded = true));
    inflater.on('error', (error: Error) => {
      if (this.finished) return;
      this.damage('damaged compressed data', `gzip member ${this.members + 1} near compressed byte ${this.chunkOffset}: ${error.message}`, true);
      this.stop();
    });
    this.inflater = inflater;
  }

  /** Writes deflate data; returns how much of `piece` the member's deflate stream took. */
  private async inflate(piece: Buffer): Promise<number> {
    const inflater = this.inflater!;
    const before = inflater.bytesWritten;
    await new Promise<void>((resolve, reject) => {
      this.waiting = { resolve, reject };
      inflater.write(piece, () => this.settle(null));
    });
    if (this.finished) return piece.length;
    const used = inflater.bytesWritten - before;
    // zlib takes no byte past the end of the deflate data: what is left is the trailer and beyond.
    if (used < piece.length || this.inflaterEnded) {
      inflater.destroy();
      this.inflater = null;
      this.state = 'trailer';
    }
    return used;
  }

  /** The input ended inside deflate data: gets the output zlib still holds. */
  private async flushTruncated(): Promise<void> {
    const inflater = this.inflater!;
    await new Promise<void>((resolve, reject) => {
      this.waiting = { resolve, reject };
      if (this.inflaterEnded) this.settle(null);
      inflater.once('end', () => this.settle(null));
      inflater.end();
    });
    this.inflater?.destroy();
    this.inflater = null;
  }

  private settle(error: unknown): void {
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting === null) return;
    if (error === null) waiting.resolve();
    else waiting.reject(error);
  }

  private reportGarbage(): void {
    const bytes = this.garbageBytes === 1 ? '1 byte' : `${this.garbageBytes} bytes`;
    this.damage('trailing garbage after the compressed data', `${bytes} from compressed byte ${this.garbageStart}; ignored, as gzip does`, false);
  }

  private damage(kind: string, detail: string, stops: boolean): void {
    if (stops) this.finished = true;
    this.onDamage(kind, detail, stops);
  }
}

function hex(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}

let crcTable: Uint32Array | null = null;

function tableCrc32(data: Uint8Array, value: number): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = ~value >>> 0;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}
