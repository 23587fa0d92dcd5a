import { CaptureFileError } from './capture-file-error.js';
import type { CaptureFileProblems } from './capture-file-problems.js';
import type { RecordParser } from './capture-file-parser.js';
import type { FrameConsumer } from '../../packets/frame-consumer.js';
import { PCAP_HEADER_LENGTH, PcapParser, pcapByteOrder, readPcapHeader } from './pcap-parser.js';
import { BLOCK_SECTION_HEADER, BYTE_ORDER_MAGIC, PcapngParser } from './pcapng-parser.js';

export type CaptureFormat = 'pcap' | 'pcapng';

/** Bytes needed to recognise a capture: the pcap global header (longer than what pcapng needs). */
export const SNIFF_LENGTH = PCAP_HEADER_LENGTH;

export interface DetectedCapture {
  format: CaptureFormat;
  parser: RecordParser;
  /** Bytes of file header the parser does not see. */
  headerLength: number;
}

/**
 * Recognises pcap or pcapng by magic number (never by name) in the first `length` bytes, at least
 * SNIFF_LENGTH unless the stream is shorter; throws CaptureFileError when it is neither.
 */
export function detectCapture(
  view: DataView,
  length: number,
  name: string,
  consumer: FrameConsumer,
  problems: CaptureFileProblems,
): DetectedCapture {
  if (length === 0) throw new CaptureFileError('not-a-capture', `capture file ${name} is empty`);
  if (length < 4) throw new CaptureFileError('not-a-capture', `capture file ${name} is too short to be a capture (${length} bytes)`);
  const magic = view.getUint32(0, false);
  if (magic === BLOCK_SECTION_HEADER) {
    if (length < 12) throw truncatedHeader(name, length);
    const order = view.getUint32(8, true);
    if (order !== BYTE_ORDER_MAGIC && order !== 0x4d3c2b1a) {
      throw new CaptureFileError('not-a-capture', `capture file ${name} is not a pcapng file (unknown byte-order magic in its section header)`);
    }
    return { format: 'pcapng', parser: new PcapngParser(consumer, problems), headerLength: 0 };
  }
  const littleEndian = pcapByteOrder(view);
  if (littleEndian !== null) {
    if (length < PCAP_HEADER_LENGTH) throw truncatedHeader(name, length);
    const header = readPcapHeader(view, littleEndian);
    return { format: 'pcap', parser: new PcapParser(header, consumer, problems), headerLength: PCAP_HEADER_LENGTH };
  }
  throw new CaptureFileError('not-a-capture', `capture file ${name} is not a pcap or pcapng file (unknown magic number); give a capture saved by tcpdump, tshark or Wireshark`);
}

function truncatedHeader(name: string, length: number): CaptureFileError {
  return new CaptureFileError('not-a-capture', `capture file ${name} ends inside its file header (${length} bytes)`);
}
