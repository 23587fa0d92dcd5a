// Shared dev tooling (support/): used by both test/ and bench/, shipped by neither.
/**
 * Byte-exact writers for capture files: classic pcap in every variant (`craftPcap`, or `pcapFile` from
 * timestamps) and pcapng block by block. Written from the format specifications, not from the reader, so
 * tests compare two independent readings.
 */
import { writeFileSync } from 'node:fs';
import { ByteWriter } from './byte-writer.js';

/** A frame as a reader should deliver it. */
export interface ExpectedFrame {
  bytes: Uint8Array;
  linkType: number;
  timeMicros: number;
  /** Offset of the record or block holding the frame, in the written file. */
  start: number;
  /** Offset just past that record or block. */
  end: number;
}

/** What a writer produced: the file and the frames a reader must deliver from it. */
export interface CraftedCapture {
  bytes: Buffer;
  frames: ExpectedFrame[];
}

export interface PcapVariant {
  linkType: number;
  bigEndian?: boolean;
  nanoseconds?: boolean;
  /** The "modified" (Kuznetzov) format, magic 0xa1b2cd34, with 8 extra bytes per record header. */
  modified?: boolean;
  snaplen?: number;
}

export interface PcapFrameSpec {
  bytes: Uint8Array;
  seconds: number;
  /** Microseconds, or nanoseconds in a nanosecond file. */
  fraction: number;
  /** Overrides the captured-length field (for damaged files). */
  capturedLength?: number;
  /** Length on the wire; larger than `bytes.length` for a frame cut at the snapshot length. */
  originalLength?: number;
}

/** A classic pcap file; `frames` carries the expected deliveries. */
export function craftPcap(variant: PcapVariant, specs: PcapFrameSpec[]): CraftedCapture {
  const w = new ByteWriter(!variant.bigEndian);
  const magic = variant.modified ? 0xa1b2cd34 : variant.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4;
  w.u32(magic).u16(2).u16(4).u32(0).u32(0).u32(variant.snaplen ?? 262144).u32(variant.linkType);
  const frames: ExpectedFrame[] = [];
  for (const spec of specs) {
    const start = w.length;
    w.u32(spec.seconds).u32(spec.fraction).u32(spec.capturedLength ?? spec.bytes.length).u32(spec.originalLength ?? spec.bytes.length);
    if (variant.modified) w.u32(1).u16(0x0800).u8(0).u8(0); // ifindex, protocol, packet type, padding
    w.bytes(spec.bytes);
    const timeMicros = spec.seconds * 1e6 + (variant.nanoseconds ? spec.fraction / 1000 : spec.fraction);
    frames.push({ bytes: spec.bytes, linkType: variant.linkType, timeMicros, start, end: w.length });
  }
  return { bytes: w.toBuffer(), frames };
}

/** One frame for `pcapFile`; bare bytes get consecutive timestamps 1 ms apart from DEFAULT_START_MICROS. */
export interface PcapRecord {
  bytes: Uint8Array;
  /** Capture time in microseconds since the epoch. */
  timeMicros?: number;
  /** Length on the wire; larger than `bytes.length` for a frame cut at the snapshot length. */
  originalLength?: number;
}

export type PcapOptions = Omit<PcapVariant, 'linkType'>;

/** The first default timestamp: 2023-11-14T22:13:20Z. */
export const DEFAULT_START_MICROS = 1_700_000_000_000_000;

/** A classic pcap file of frames given with microsecond times (or none): `craftPcap` without the arithmetic. */
export function pcapFile(linkType: number, records: ReadonlyArray<Uint8Array | PcapRecord>, options: PcapOptions = {}): Buffer {
  const specs = records.map((entry, i): PcapFrameSpec => {
    const record = entry instanceof Uint8Array ? { bytes: entry } : entry;
    const micros = record.timeMicros ?? DEFAULT_START_MICROS + i * 1000;
    const seconds = Math.floor(micros / 1e6);
    const fraction = micros - seconds * 1e6;
    const spec: PcapFrameSpec = { bytes: record.bytes, seconds, fraction: options.nanoseconds ? fraction * 1000 : fraction };
    if (record.originalLength !== undefined) spec.originalLength = record.originalLength;
    return spec;
  });
  return craftPcap({ ...options, linkType }, specs).bytes;
}

export function writePcap(path: string, linkType: number, records: ReadonlyArray<Uint8Array | PcapRecord>, options: PcapOptions = {}): void {
  writeFileSync(path, pcapFile(linkType, records, options));
}

export interface InterfaceSpec {
  linkType: number;
  snaplen?: number;
  /** if_tsresol byte: a power of 10 (0..127) or 0x80 | power of 2; omitted means microseconds. */
  tsresol?: number;
  /** if_tsoffset in seconds. */
  tsoffset?: number;
}

/** Builds a pcapng file block by block and records the frames a reader must deliver. */
export class PcapngWriter {
  readonly frames: ExpectedFrame[] = [];
  private w = new ByteWriter(true);
  private readonly chunks: Buffer[] = [];
  private interfaces: Array<InterfaceSpec & { unitsPerSecond: number }> = [];
  private lastMicros = 0;
  private written = 0;

  /** Starts a section; every block after it is written in this byte order until the next one. */
  section(options: { bigEndian?: boolean; major?: number } = {}): this {
    this.flush();
    this.w = new ByteWriter(!options.bigEndian);
    this.interfaces = [];
    const body = new ByteWriter(!options.bigEndian);
    body.u32(0x1a2b3c4d).u16(options.major ?? 1).u16(0).u32(0xffffffff).u32(0xffffffff); // section length unknown
    return this.block(0x0a0d0d0a, body.toBuffer());
  }

  interface(spec: InterfaceSpec): this {
    const body = this.body().u16(spec.linkType).u16(0).u32(spec.snaplen ?? 262144);
    if (spec.tsresol !== undefined) body.option(9, Uint8Array.of(spec.tsresol));
    if (spec.tsoffset !== undefined) {
      const offset = new ByteWriter(body.littleEndian).i64(BigInt(spec.tsoffset)).toBuffer();
      body.option(14, offset);
    }
    if (spec.tsresol !== undefined || spec.tsoffset !== undefined) body.u32(0); // opt_endofopt
    const r = spec.tsresol ?? 6;
    this.interfaces.push({ ...spec, unitsPerSecond: r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r });
    return this.block(1, body.toBuffer());
  }

  /** An enhanced packet block; `units` is the timestamp in the interface's resolution. */
  enhanced(id: number, bytes: Uint8Array, units: bigint, options: { comment?: string } = {}): this {
    const body = this.body().u32(id);
    this.timestampAndData(body, id, bytes, units);
    if (options.comment !== undefined) body.option(1, Buffer.from(options.comment)).u32(0);
    return this.packetBlock(6, body, id, bytes);
  }

  /** The obsolete packet block (type 2): 16-bit interface id and drop count. */
  obsolete(id: number, bytes: Uint8Array, units: bigint): this {
    const body = this.body().u16(id).u16(0);
    this.timestampAndData(body, id, bytes, units);
    return this.packetBlock(2, body, id, bytes);
  }

  /** A simple packet block: interface 0, no timestamp, cut to the interface's snap length. */
  simple(bytes: Uint8Array, originalLength = bytes.length): this {
    const body = this.body().u32(originalLength).bytes(bytes);
    const snap = this.interfaces[0]?.snaplen ?? 0;
    const kept = snap > 0 && bytes.length > snap ? bytes.subarray(0, snap) : bytes;
    return this.packetBlock(3, body, 0, kept, this.lastMicros);
  }

  /** Any other block (name resolution, statistics, custom, unknown) with a raw body. */
  other(type: number, body: Uint8Array): this {
    return this.block(type, Buffer.from(body));
  }

  /** Raw bytes with no framing (for damaged files). */
  raw(bytes: Uint8Array): this {
    this.w.bytes(bytes);
    return this;
  }

  get length(): number {
    return this.written + this.w.length;
  }

  toCapture(): CraftedCapture {
    this.flush();
    return { bytes: Buffer.concat(this.chunks), frames: this.frames };
  }

  private body(): ByteWriter {
    return new ByteWriter(this.w.littleEndian);
  }

  private timestampAndData(body: ByteWriter, id: number, bytes: Uint8Array, units: bigint): void {
    body.u32(Number(units >> 32n)).u32(Number(units & 0xffffffffn)).u32(bytes.length).u32(bytes.length).bytes(bytes);
    const iface = this.interfaces[id];
    if (iface) {
      const whole = units / BigInt(iface.unitsPerSecond);
      const rest = units - whole * BigInt(iface.unitsPerSecond);
      this.lastMicros = (Number(whole) + (iface.tsoffset ?? 0)) * 1e6 + (Number(rest) * 1e6) / iface.unitsPerSecond;
    }
  }

  private packetBlock(type: number, body: ByteWriter, id: number, bytes: Uint8Array, micros = this.lastMicros): this {
    const start = this.length;
    this.block(type, body.toBuffer());
    const iface = this.interfaces[id];
    if (iface) this.frames.push({ bytes, linkType: iface.linkType, timeMicros: micros, start, end: this.length });
    return this;
  }

  private block(type: number, body: Buffer): this {
    const padded = (body.length + 3) & ~3;
    const total = 12 + padded;
    this.w.u32(type).u32(total).bytes(body).zeros(padded - body.length).u32(total);
    return this;
  }

  private flush(): void {
    this.written += this.w.length;
    this.chunks.push(this.w.toBuffer());
    this.w = new ByteWriter(this.w.littleEndian);
  }
}

/** Deterministic filler bytes: frame `i` of length `n`. */
export function patternBytes(i: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let k = 0; k < n; k++) out[k] = (i * 31 + k * 7) & 0xff;
  return out;
}
