import { writeFileSync } from 'node:fs';

/** One frame for a pcap file; bare bytes get consecutive timestamps 1 ms apart. */
export interface PcapRecord {
  bytes: Uint8Array;
  /** Capture time in microseconds since the epoch. */
  timeMicros?: number;
  /** Length on the wire; larger than `bytes.length` for a snaplen-cut frame. */
  originalLength?: number;
}

export interface PcapOptions {
  snaplen?: number;
  /** Nanosecond-resolution magic (0xa1b23c4d) instead of microseconds. */
  nanoseconds?: boolean;
  /** Write every header big-endian, as a big-endian capturing host does. */
  bigEndian?: boolean;
}

/** The first default timestamp: 2023-11-14T22:13:20Z. */
export const DEFAULT_START_MICROS = 1_700_000_000_000_000;

/** A classic libpcap file with one link type. */
export function pcapFile(linkType: number, records: Array<Uint8Array | PcapRecord>, options: PcapOptions = {}): Buffer {
  const le = !options.bigEndian;
  const header = Buffer.alloc(24);
  const u32 = (b: Buffer, v: number, at: number): number => (le ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at));
  const u16 = (b: Buffer, v: number, at: number): number => (le ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
  u32(header, options.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  u16(header, 2, 4);
  u16(header, 4, 6);
  u32(header, options.snaplen ?? 262144, 16);
  u32(header, linkType, 20);
  const parts: Buffer[] = [header];
  records.forEach((entry, i) => {
    const record = entry instanceof Uint8Array ? { bytes: entry } : entry;
    const micros = record.timeMicros ?? DEFAULT_START_MICROS + i * 1000;
    const seconds = Math.floor(micros / 1e6);
    const fraction = micros - seconds * 1e6;
    const recordHeader = Buffer.alloc(16);
    u32(recordHeader, seconds, 0);
    u32(recordHeader, options.nanoseconds ? fraction * 1000 : fraction, 4);
    u32(recordHeader, record.bytes.length, 8);
    u32(recordHeader, record.originalLength ?? record.bytes.length, 12);
    parts.push(recordHeader, Buffer.from(record.bytes.buffer, record.bytes.byteOffset, record.bytes.length));
  });
  return Buffer.concat(parts);
}

export function writePcap(path: string, linkType: number, records: Array<Uint8Array | PcapRecord>, options: PcapOptions = {}): void {
  writeFileSync(path, pcapFile(linkType, records, options));
}
