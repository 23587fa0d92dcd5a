import type { FrameConsumer } from '../../packets/frame-consumer.js';
import type { CaptureFileProblems } from './capture-file-problems.js';
import { hex32, MAX_RECORD_LENGTH, type RecordParser } from './capture-file-parser.js';
import { PcapngInterfaces } from './pcapng-interfaces.js';

export const BLOCK_SECTION_HEADER = 0x0a0d0d0a;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BLOCK_INTERFACE = 1;
const BLOCK_PACKET_OBSOLETE = 2;
const BLOCK_SIMPLE_PACKET = 3;
const BLOCK_ENHANCED_PACKET = 6;

/** Block types that carry nothing a SYN counter needs: skipped silently. */
const HARMLESS_BLOCKS = new Set([
  4, // name resolution
  5, // interface statistics
  7, // IRIG timestamp
  8, // ARINC 429
  9, // systemd journal export
  0x0a, // decryption secrets
  0x101, // Hone machine info
  0x102, // Hone connection event
  0x0bad, // custom, copyable
  0x40000bad, // custom, not copyable
]);

/** Harmless blocks larger than a record are skipped unread, up to this size; beyond it the length is damage. */
const MAX_SKIPPED_BLOCK = 64 * 1024 * 1024;

/**
 * pcapng blocks: section headers (byte order may change at each), interface descriptions, enhanced,
 * simple and obsolete packet blocks; other blocks are skipped. The trailing length of every block is
 * checked, so damage is found where it starts.
 */
export class PcapngParser implements RecordParser {
  needed = 12;
  stopped = false;
  frames = 0;
  bytes = 0;
  private littleEndian = true;
  /** Simple packet blocks carry no timestamp: they get the last one seen. */
  /** The last packet's time, which simple packet blocks (no timestamp of their own) reuse. */
  private lastSeconds = 0;
  private lastNanoseconds = 0;
  private readonly interfaces = new PcapngInterfaces();
  private readonly consumer: FrameConsumer;
  private readonly problems: CaptureFileProblems;

  constructor(consumer: FrameConsumer, problems: CaptureFileProblems) {
    this.consumer = consumer;
    this.problems = problems;
  }

  parse(buf: Uint8Array, view: DataView, start: number, end: number, base: number): number {
    let pos = start;
    this.needed = 12;
    const consumer = this.consumer;
    const interfaces = this.interfaces;
    let frames = this.frames;
    let bytes = this.bytes;
    while (end - pos >= 12) {
      const type = view.getUint32(pos, this.littleEndian); // the section header type reads the same in both orders
      if (type === BLOCK_ENHANCED_PACKET) {
        // Fast path for a well-formed enhanced packet block; anything unusual falls through to the checks below.
        const littleEndian = this.littleEndian;
        const total = view.getUint32(pos + 4, littleEndian);
        if (total >= 32 && total <= end - pos && total <= MAX_RECORD_LENGTH && (total & 3) === 0 && view.getUint32(pos + total - 4, littleEndian) === total) {
          const id = view.getUint32(pos + 8, littleEndian);
          const capturedLength = view.getUint32(pos + 20, littleEndian);
          if (id < interfaces.count && capturedLength <= total - 32 && interfaces.linkType[id] >= 0) {
            this.setTime(interfaces.micros(id, view.getUint32(pos + 12, littleEndian), view.getUint32(pos + 16, littleEndian)));
            consumer.onFrame(buf, pos + 28, capturedLength, interfaces.linkType[id], this.lastSeconds, this.lastNanoseconds);
            frames++;
            bytes += capturedLength;
            pos += total;
            continue;
          }
        }
      }
      if (type === BLOCK_SECTION_HEADER && !this.readByteOrder(view, pos, base)) break;
      const littleEndian = this.littleEndian;
      const total = view.getUint32(pos + 4, littleEndian);
      if (total < 12 || (total & 3) !== 0) {
        this.stop('bad block length', base + pos, `${total} bytes, not a multiple of 4 of at least 12`);
        break;
      }
      if (total > MAX_RECORD_LENGTH) {
        if (!HARMLESS_BLOCKS.has(type) || total > MAX_SKIPPED_BLOCK) {
          this.stop('absurd block length', base + pos, `${total} bytes claimed by block type ${hex32(type)}`);
          break;
        }
        pos += total; // skipped unread, possibly beyond this window
        if (pos > end) break;
        continue;
      }
      if (end - pos < total) {
        this.needed = total;
        break;
      }
      const trailer = view.getUint32(pos + total - 4, littleEndian);
      if (trailer !== total) {
        this.stop('block length mismatch', base + pos, `leading ${total}, trailing ${trailer}`);
        break;
      }
      let delivered = -1;
      if (type === BLOCK_ENHANCED_PACKET || type === BLOCK_PACKET_OBSOLETE) {
        if (total < 32) this.problems.add('damaged packet block', base + pos, `${total} bytes`);
        else delivered = this.deliver(buf, view, pos, total, type === BLOCK_ENHANCED_PACKET ? view.getUint32(pos + 8, littleEndian) : view.getUint16(pos + 8, littleEndian), base);
      } else if (type === BLOCK_SIMPLE_PACKET) {
        delivered = this.deliverSimple(buf, view, pos, total, base);
      } else if (type === BLOCK_INTERFACE) {
        this.interfaces.addFromBlock(view, pos, total, littleEndian, this.problems, base);
      } else if (type === BLOCK_SECTION_HEADER) {
        if (!this.startSection(view, pos, total, base)) break;
      } else if (!HARMLESS_BLOCKS.has(type)) {
        this.problems.add('unknown block type', base + pos, `${hex32(type)}; skipped`);
      }
      if (delivered >= 0) {
        frames++;
        bytes += delivered;
      }
      pos += total;
    }
    this.frames = frames;
    this.bytes = bytes;
    return pos;
  }

  /** Enhanced and obsolete packet blocks share the layout after the interface id; returns the length delivered, or -1. */
  private deliver(buf: Uint8Array, view: DataView, pos: number, total: number, id: number, base: number): number {
    const littleEndian = this.littleEndian;
    const interfaces = this.interfaces;
    if (id >= interfaces.count) {
      this.problems.add('packet for an undeclared interface', base + pos, `interface ${id}; skipped`);
      return -1;
    }
    const linkType = interfaces.linkType[id];
    if (linkType < 0) {
      this.problems.add('packet of a damaged interface', base + pos, `interface ${id}; skipped`);
      return -1;
    }
    const capturedLength = view.getUint32(pos + 20, littleEndian);
    if (capturedLength > total - 32) {
      this.problems.add('packet longer than its block', base + pos, `${capturedLength} bytes in a block of ${total}; skipped`);
      return -1;
    }
    this.setTime(interfaces.micros(id, view.getUint32(pos + 12, littleEndian), view.getUint32(pos + 16, littleEndian)));
    this.consumer.onFrame(buf, pos + 28, capturedLength, linkType, this.lastSeconds, this.lastNanoseconds);
    return capturedLength;
  }

  /** Splits a block's time into the two small integers consumers take. */
  private setTime(micros: number): void {
    const seconds = Math.floor(micros / 1e6);
    this.lastSeconds = seconds;
    this.lastNanoseconds = Math.round((micros - seconds * 1e6) * 1000);
  }

  /** Simple packet blocks belong to interface 0; their captured length is implied by the block. Returns it, or -1. */
  private deliverSimple(buf: Uint8Array, view: DataView, pos: number, total: number, base: number): number {
    const interfaces = this.interfaces;
    if (total < 16) {
      this.problems.add('damaged packet block', base + pos, `${total} bytes`);
      return -1;
    }
    if (interfaces.count === 0 || interfaces.linkType[0] < 0) {
      this.problems.add('packet for an undeclared interface', base + pos, 'simple packet block without interface 0; skipped');
      return -1;
    }
    let length = Math.min(view.getUint32(pos + 8, this.littleEndian), total - 16);
    const snapLength = interfaces.snapLength[0];
    if (snapLength > 0 && length > snapLength) length = snapLength;
    this.consumer.onFrame(buf, pos + 12, length, interfaces.linkType[0], this.lastSeconds, this.lastNanoseconds);
    return length;
  }

  /** Reads the byte-order magic of a section header (needs only its first 12 bytes). */
  private readByteOrder(view: DataView, pos: number, base: number): boolean {
    const magic = view.getUint32(pos + 8, true);
    if (magic === BYTE_ORDER_MAGIC) this.littleEndian = true;
    else if (magic === 0x4d3c2b1a) this.littleEndian = false;
    else {
      this.stop('damaged section header', base + pos, `byte-order magic ${hex32(magic)}`);
      return false;
    }
    return true;
  }

  private startSection(view: DataView, pos: number, total: number, base: number): boolean {
    if (total < 28) {
      this.stop('damaged section header', base + pos, `block of ${total} bytes`);
      return false;
    }
    const major = view.getUint16(pos + 12, this.littleEndian);
    if (major !== 1) {
      this.stop('unsupported pcapng version', base + pos, `major version ${major}`);
      return false;
    }
    this.interfaces.clear();
    return true;
  }

  private stop(kind: string, offset: number, detail: string): void {
    this.problems.stop(kind, offset, detail);
    this.stopped = true;
  }
}
