import { closeSync, openSync, readSync } from 'node:fs';

/** The first frames of a generated capture held in memory, so in-process loops time decoding, not I/O. */
export interface FrameSample {
  data: Buffer;
  offsets: Uint32Array;
  lengths: Uint32Array;
  /** Capture timestamps in microseconds. */
  times: Float64Array;
  count: number;
  linkType: number;
}

/** Reads up to `limit` frames from the start of a little-endian pcap written by generate-capture. */
export function loadFrameSample(file: string, limit: number, byteBudget = 64 << 20): FrameSample {
  const data = Buffer.allocUnsafe(byteBudget);
  const fd = openSync(file, 'r');
  let filled: number;
  try {
    filled = readSync(fd, data, 0, byteBudget, 0);
  } finally {
    closeSync(fd);
  }
  if (filled < 24 || data.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error(`${file}: not a little-endian microsecond pcap`);
  const linkType = data.readUInt32LE(20);
  const offsets = new Uint32Array(limit);
  const lengths = new Uint32Array(limit);
  const times = new Float64Array(limit);
  let count = 0;
  let pos = 24;
  while (count < limit && pos + 16 <= filled) {
    const length = data.readUInt32LE(pos + 8);
    if (pos + 16 + length > filled) break;
    offsets[count] = pos + 16;
    lengths[count] = length;
    times[count] = data.readUInt32LE(pos) * 1e6 + data.readUInt32LE(pos + 4);
    count++;
    pos += 16 + length;
  }
  return { data, offsets, lengths, times, count, linkType };
}

/** A sample with only the frames `keep` accepts (for example the SYNs a live BPF filter would pass). */
export function filterSample(sample: FrameSample, keep: (data: Buffer, offset: number, length: number) => boolean): FrameSample {
  const offsets = new Uint32Array(sample.count);
  const lengths = new Uint32Array(sample.count);
  const times = new Float64Array(sample.count);
  let count = 0;
  for (let i = 0; i < sample.count; i++) {
    if (!keep(sample.data, sample.offsets[i]!, sample.lengths[i]!)) continue;
    offsets[count] = sample.offsets[i]!;
    lengths[count] = sample.lengths[i]!;
    times[count] = sample.times[i]!;
    count++;
  }
  return { data: sample.data, offsets, lengths, times, count, linkType: sample.linkType };
}
