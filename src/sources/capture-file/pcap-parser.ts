import type { FrameConsumer } from '../../packets/frame-consumer.js';
import type { CaptureFileProblems } from './capture-file-problems.js';
import { MAX_FRAME_LENGTH, type RecordParser } from './capture-file-parser.js';

/** What the 24-byte global header of a classic pcap file says. */
export interface PcapHeader {
  littleEndian: boolean;
  /** Fraction field unit: 1 for microseconds, 1000 for nanoseconds. */
  fractionPerMicro: number;
  linkType: number;
  /** 16, or 24 for the "modified" (Kuznetzov) format with extra per-record fields. */
  recordHeaderLength: number;
}

export const PCAP_HEADER_LENGTH = 24;
export const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
export const PCAP_MAGIC_NANOS = 0xa1b23c4d;
export const PCAP_MAGIC_MODIFIED = 0xa1b2cd34;

/** Byte order of the pcap magic in the first four bytes: true little-endian, false big-endian, null if not pcap. */
export function pcapByteOrder(view: DataView): boolean | null {
  if (isPcapMagic(view.getUint32(0, true))) return true;
  if (isPcapMagic(view.getUint32(0, false))) return false;
  return null;
}

/** Reads the 24-byte global header of a file whose magic is in `littleEndian` order. */
export function readPcapHeader(view: DataView, littleEndian: boolean): PcapHeader {
  const magic = view.getUint32(0, littleEndian);
  return {
    littleEndian,
    fractionPerMicro: magic === PCAP_MAGIC_NANOS ? 1000 : 1,
    // The upper bits of the link-type field carry FCS flags (LT_LINKTYPE in libpcap).
    linkType: view.getUint32(20, littleEndian) & 0x03ffffff,
    recordHeaderLength: magic === PCAP_MAGIC_MODIFIED ? 24 : 16,
  };
}

function isPcapMagic(magic: number): boolean {
  return magic === PCAP_MAGIC_MICROS || magic === PCAP_MAGIC_NANOS || magic === PCAP_MAGIC_MODIFIED;
}

/** Classic pcap records: a fixed header (seconds, fraction, captured length, original length) and the frame. */
export class PcapParser implements RecordParser {
  needed: number;
  stopped = false;
  frames = 0;
  bytes = 0;
  private readonly consumer: FrameConsumer;
  private readonly problems: CaptureFileProblems;
  private readonly header: PcapHeader;

  constructor(header: PcapHeader, consumer: FrameConsumer, problems: CaptureFileProblems) {
    this.header = header;
    this.consumer = consumer;
    this.problems = problems;
    this.needed = header.recordHeaderLength;
  }

  parse(buf: Uint8Array, view: DataView, start: number, end: number, base: number): number {
    const consumer = this.consumer;
    const { littleEndian, fractionPerMicro, linkType, recordHeaderLength } = this.header;
    const nanosPerFraction = 1000 / fractionPerMicro;
    let pos = start;
    let frames = this.frames;
    let bytes = this.bytes;
    this.needed = recordHeaderLength;
    while (end - pos >= recordHeaderLength) {
      const capturedLength = view.getUint32(pos + 8, littleEndian);
      if (capturedLength > MAX_FRAME_LENGTH) {
        // No resync: pcap records have no marker, so anything after a damaged length is guesswork.
        this.problems.stop('absurd record length', base + pos, `${capturedLength} bytes claimed`);
        this.stopped = true;
        break;
      }
      const next = pos + recordHeaderLength + capturedLength;
      if (next > end) {
        this.needed = recordHeaderLength + capturedLength;
        break;
      }
      consumer.onFrame(buf, pos + recordHeaderLength, capturedLength, linkType, view.getUint32(pos, littleEndian), view.getUint32(pos + 4, littleEndian) * nanosPerFraction);
      frames++;
      bytes += capturedLength;
      pos = next;
    }
    this.frames = frames;
    this.bytes = bytes;
    return pos;
  }
}
