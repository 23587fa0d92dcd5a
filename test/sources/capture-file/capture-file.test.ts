import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Background, run } from '../../../support/netns.js';
import { CaptureFileError, readCaptureFile, type ReadCaptureFileOptions } from '../../../src/sources/capture-file/capture-file.js';
import { craftPcap, patternBytes, PcapngWriter, type CraftedCapture, type ExpectedFrame, type PcapFrameSpec } from '../../../support/capture-writers.js';
import { FrameCollector } from '../../support/frame-collector.js';

const dir = mkdtempSync(join(tmpdir(), 'peng-capfile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function fileOf(bytes: Uint8Array): string {
  const path = join(dir, `capture-${fileCount++}.bin`); // no extension: formats are found by magic
  writeFileSync(path, bytes);
  return path;
}

async function read(bytes: Uint8Array, options: ReadCaptureFileOptions = {}) {
  const collector = new FrameCollector();
  const messages: string[] = [];
  const summary = await readCaptureFile(fileOf(bytes), collector, { progress: false, onProblem: (m) => messages.push(m), ...options });
  return { summary, frames: collector.frames, messages };
}

async function refusal(bytes: Uint8Array): Promise<CaptureFileError> {
  const collector = new FrameCollector();
  const error = await readCaptureFile(fileOf(bytes), collector, { progress: false }).then(
    () => assert.fail('expected a CaptureFileError'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof CaptureFileError, String(error));
  assert.equal(collector.frames.length, 0, 'no frame before the refusal');
  assert.ok(!error.message.includes('\n'), 'one line');
  return error;
}

function assertFrames(actual: FrameCollector['frames'], expected: ExpectedFrame[], toleranceMicros = 0): void {
  assert.equal(actual.length, expected.length, 'frame count');
  expected.forEach((e, i) => {
    const a = actual[i];
    assert.deepEqual(Buffer.from(a.bytes), Buffer.from(e.bytes), `bytes of frame ${i}`);
    assert.equal(a.linkType, e.linkType, `link type of frame ${i}`);
    assert.ok(Math.abs(a.timeMicros - e.timeMicros) <= toleranceMicros, `time of frame ${i}: ${a.timeMicros} vs ${e.timeMicros}`);
  });
}

const sizes = [60, 1514, 42, 0, 9000, 74, 1, 300];
function specs(nanoseconds = false, sizesOf = sizes): PcapFrameSpec[] {
  return sizesOf.map((n, i) => ({
    bytes: patternBytes(i, n),
    seconds: 1_700_000_000 + i * 7,
    fraction: nanoseconds ? (i * 123_456_789) % 1e9 : (i * 123_457) % 1e6,
  }));
}

function totalBytes(capture: CraftedCapture): number {
  return capture.frames.reduce((n, f) => n + f.bytes.length, 0);
}

test('pcap in both byte orders, micro- and nanosecond magic and the modified format: every frame, link type and time', async () => {
  const variants = [
    { linkType: 1 },
    { linkType: 113, bigEndian: true },
    { linkType: 276, nanoseconds: true },
    { linkType: 101, nanoseconds: true, bigEndian: true },
    { linkType: 0, modified: true },
    { linkType: 1, modified: true, bigEndian: true },
  ];
  for (const variant of variants) {
    const capture = craftPcap(variant, specs(variant.nanoseconds));
    const { summary, frames, messages } = await read(capture.bytes);
    assertFrames(frames, capture.frames);
    assert.deepEqual(summary, { format: 'pcap', compressed: false, frames: sizes.length, bytes: totalBytes(capture), problems: 0, interrupted: false, stoppedEarly: null });
    assert.deepEqual(messages, []);
  }
  // Nanosecond fractions are kept below the microsecond.
  const ns = craftPcap({ linkType: 1, nanoseconds: true }, [{ bytes: patternBytes(0, 60), seconds: 1_700_000_000, fraction: 123_456_789 }]);
  const { frames } = await read(ns.bytes);
  assert.ok(Math.abs(frames[0].timeMicros - 1_700_000_000_123_456.789) < 0.25);
  // FCS flags in the upper bits of the link-type field are not part of the link type.
  const fcs = craftPcap({ linkType: 0x14000001 }, specs().slice(0, 1));
  assert.equal((await read(fcs.bytes)).frames[0].linkType, 1);
});

/** Two sections (little then big endian), interfaces with different link types and resolutions. */
function multiInterfacePcapng(): CraftedCapture {
  const w = new PcapngWriter()
    .section()
    .interface({ linkType: 1 })
    .interface({ linkType: 101, tsresol: 9 })
    .interface({ linkType: 276, tsresol: 3 })
    .interface({ linkType: 0, tsresol: 0x80 | 20, tsoffset: 100 });
  for (let i = 0; i < 12; i++) {
    const id = i % 4;
    const units = [1_700_000_000_000_000n + BigInt(i) * 1001n, 1_700_000_000_123_456_789n + BigInt(i), 1_700_000_000_123n + BigInt(i), 1_700_000_000n * 1048576n + BigInt(i) * 3n][id];
    w.enhanced(id, patternBytes(i, 40 + i * 13), units, i % 3 === 0 ? { comment: 'a comment of odd length' } : {});
  }
  w.section({ bigEndian: true }).interface({ linkType: 113, tsresol: 9 }).interface({ linkType: 1 });
  for (let i = 0; i < 6; i++) w.enhanced(i % 2, patternBytes(100 + i, 64 + i), i % 2 ? 1_700_000_100_000_000n + BigInt(i) : 1_700_000_100_000_000_007n);
  return w.toCapture();
}

test('pcapng sections in both byte orders, interfaces with their own link types, if_tsresol and if_tsoffset', async () => {
  const capture = multiInterfacePcapng();
  const { summary, frames, messages } = await read(capture.bytes);
  assertFrames(frames, capture.frames, 0.5); // nanosecond stamps near 1.7e15 µs: a double holds quarter microseconds
  assert.deepEqual(summary, { format: 'pcapng', compressed: false, frames: 18, bytes: totalBytes(capture), problems: 0, interrupted: false, stoppedEarly: null });
  assert.deepEqual(messages, []);
  assert.deepEqual(new Set(frames.map((f) => f.linkType)), new Set([1, 101, 276, 0, 113]));
  // Microsecond interfaces are exact; the offset interface counts 2^-20 s units (here 9) plus 100 s.
  assert.equal(frames[0].timeMicros, 1_700_000_000_000_000);
  assert.ok(Math.abs(frames[3].timeMicros - ((1_700_000_000 + 100) * 1e6 + 9e6 / 1048576)) < 0.25);
});

test('simple packet blocks use interface 0, its snap length and the last timestamp; obsolete packet blocks are read', async () => {
  const w = new PcapngWriter().section().interface({ linkType: 1, snaplen: 100 }).interface({ linkType: 101 });
  w.simple(patternBytes(0, 50)); // before any timestamp: time 0
  w.enhanced(1, patternBytes(1, 80), 1_700_000_000_500_000n);
  w.simple(patternBytes(2, 150)); // cut to the snap length, time of the packet before
  w.obsolete(0, patternBytes(3, 70), 1_700_000_001_000_000n);
  w.simple(patternBytes(4, 32), 99); // captured part shorter than the original: the block's data is all there is
  const capture = w.toCapture();
  const { summary, frames } = await read(capture.bytes);
  assertFrames(frames, capture.frames);
  assert.equal(frames[2].bytes.length, 100);
  assert.equal(frames[2].timeMicros, 1_700_000_000_500_000);
  assert.equal(summary.problems, 0);
});

test('name resolution, statistics, secrets and custom blocks are skipped silently; unknown blocks are counted and reported once', async () => {
  const w = new PcapngWriter().section().interface({ linkType: 1 });
  w.enhanced(0, patternBytes(0, 60), 1n);
  for (const type of [4, 5, 0x0a, 0x0bad, 0x40000bad]) w.other(type, patternBytes(type, 21));
  for (let i = 0; i < 3; i++) w.other(0x1234, patternBytes(i, 8)).enhanced(0, patternBytes(i + 1, 60), 2n + BigInt(i));
  const capture = w.toCapture();
  const { summary, frames, messages } = await read(capture.bytes);
  assertFrames(frames, capture.frames);
  assert.equal(summary.problems, 3);
  assert.equal(messages.length, 1);
  assert.match(messages[0], /^unknown block type at byte \d+ \(0x00001234; skipped\); 3 in all$/);
});

test('gzip-compressed pcap and pcapng are recognised by magic and inflated, also as several gzip members', async () => {
  for (const capture of [craftPcap({ linkType: 1 }, specs()), multiInterfacePcapng()]) {
    const { summary, frames } = await read(gzipSync(capture.bytes));
    assertFrames(frames, capture.frames, 0.5);
    assert.equal(summary.compressed, true);
    assert.equal(summary.problems, 0);
    const half = capture.bytes.length >> 1;
    const members = Buffer.concat([gzipSync(capture.bytes.subarray(0, half)), gzipSync(capture.bytes.subarray(half))]);
    assertFrames((await read(members, { chunkSize: 100 })).frames, capture.frames, 0.5);
  }
});

test('records straddling reads are reassembled at every buffer size; a record larger than the buffer grows it once', async () => {
  const bigSizes = [...sizes, 200_000, 61, 262_144, 5];
  const pcap = craftPcap({ linkType: 1 }, specs(false, bigSizes));
  const w = new PcapngWriter().section().interface({ linkType: 1 }).interface({ linkType: 101, tsresol: 9 });
  bigSizes.forEach((n, i) => w.enhanced(i % 2, patternBytes(i, n), BigInt(1_700_000_000_000_000 + i)));
  const pcapng = w.toCapture();
  for (const chunkSize of [1, 64, 65, 100, 1000, 4096, 70_000, undefined]) {
    for (const capture of [pcap, pcapng]) {
      const { summary, frames } = await read(capture.bytes, { chunkSize });
      assertFrames(frames, capture.frames, 0.5);
      assert.equal(summary.problems, 0, `chunk size ${chunkSize}`);
    }
  }
  assertFrames((await read(gzipSync(pcap.bytes), { chunkSize: 100 })).frames, pcap.frames);
});

test('a harmless block larger than the buffer is skipped unread, across reads', async () => {
  const w = new PcapngWriter().section().interface({ linkType: 1 }).enhanced(0, patternBytes(0, 60), 5n);
  w.other(4, new Uint8Array(1_000_000)).enhanced(0, patternBytes(1, 60), 6n);
  const capture = w.toCapture();
  for (const chunkSize of [4096, undefined]) {
    const { summary, frames } = await read(capture.bytes, { chunkSize });
    assertFrames(frames, capture.frames);
    assert.equal(summary.problems, 0);
  }
  const cut = await read(capture.bytes.subarray(0, capture.frames[0].end + 500_000), { chunkSize: 4096 });
  assert.equal(cut.frames.length, 1);
  assert.match(cut.messages.join('\n'), /^truncated last record at byte \d+/);
});

test('a file that is not a capture is refused before any frame, with one line naming what is wrong', async () => {
  const text = Buffer.from('hello, this is not a capture file at all\n');
  const e = await refusal(text);
  assert.equal(e.code, 'not-a-capture');
  assert.match(e.message, /^capture file .*capture-\d+\.bin is not a pcap or pcapng file \(unknown magic number\); /);
  assert.doesNotMatch(e.message, /hell|0x68656c6c/, "the file's first bytes are not echoed");
  assert.match((await refusal(Buffer.alloc(0))).message, /is empty$/);
  assert.match((await refusal(Buffer.from([0xd4, 0xc3]))).message, /too short/);
  const pcap = craftPcap({ linkType: 1 }, specs());
  assert.match((await refusal(pcap.bytes.subarray(0, 10))).message, /ends inside its file header \(10 bytes\)$/);
  const badOrder = Buffer.from(multiInterfacePcapng().bytes);
  badOrder.writeUInt32LE(0x12345678, 8);
  assert.match((await refusal(badOrder)).message, /not a pcapng file \(unknown byte-order magic in its section header\)$/);
  assert.equal((await refusal(gzipSync(text))).code, 'not-a-capture');
  const brokenGzip = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), Buffer.from('garbage, not deflate data')]);
  const gz = await refusal(brokenGzip);
  assert.equal(gz.code, 'not-a-capture');
  assert.match(gz.message, /is gzip-compressed but cannot be inflated/);
});

test('a missing file is not-found, a directory unreadable', async () => {
  const missing = join(dir, 'no-such.pcap');
  await assert.rejects(readCaptureFile(missing, new FrameCollector()), (e: unknown) => {
    return e instanceof CaptureFileError && e.code === 'not-found' && e.message === `capture file ${missing} not found`;
  });
  const sub = join(dir, 'a-directory');
  mkdirSync(sub);
  await assert.rejects(readCaptureFile(sub, new FrameCollector()), (e: unknown) => e instanceof CaptureFileError && e.code === 'unreadable' && /is a directory$/.test(e.message));
});

test('a truncated last record is counted and reported once; the frames before it are delivered', async () => {
  const pcap = craftPcap({ linkType: 1 }, specs());
  const pcapng = multiInterfacePcapng();
  for (const capture of [pcap, pcapng]) {
    for (const into of [5, 20, 40]) {
      const cut = capture.frames[4].end + into; // inside the header or the data of the sixth record
      const { summary, frames, messages } = await read(capture.bytes.subarray(0, cut), { chunkSize: 64 });
      assertFrames(frames, capture.frames.slice(0, 5), 0.5);
      assert.equal(summary.problems, 1);
      assert.equal(messages.length, 1);
      assert.match(messages[0], new RegExp(`^truncated last record at byte ${capture.frames[4].end} \\(${into} of \\d+ bytes present\\)$`));
    }
  }
});

test('a record claiming 4 GB is refused, not allocated: reading stops there with the frames before it', async () => {
  const rssBefore = process.memoryUsage().rss;
  const damaged = specs();
  damaged[3] = { ...damaged[3], capturedLength: 0xffffffff };
  const pcap = craftPcap({ linkType: 1 }, damaged);
  const { summary, frames, messages } = await read(pcap.bytes);
  assertFrames(frames, pcap.frames.slice(0, 3));
  assert.equal(summary.problems, 1);
  assert.deepEqual(messages, [`absurd record length at byte ${pcap.frames[2].end} (4294967295 bytes claimed; reading stopped there)`]);

  const w = new PcapngWriter().section().interface({ linkType: 1 }).enhanced(0, patternBytes(0, 60), 1n);
  const at = w.length;
  const ng = w.raw(Buffer.from([6, 0, 0, 0, 0xf0, 0xff, 0xff, 0xff, 0, 0, 0, 0])).raw(new Uint8Array(64)).toCapture();
  const r = await read(ng.bytes);
  assert.equal(r.frames.length, 1);
  assert.deepEqual(r.messages, [`absurd block length at byte ${at} (4294967280 bytes claimed by block type 0x00000006; reading stopped there)`]);
  assert.ok(process.memoryUsage().rss - rssBefore < 64 * 1024 * 1024, 'memory stays low');
});

test('damaged pcapng blocks: bad lengths stop reading; bad packets and undeclared interfaces are skipped and counted', async () => {
  const base = () => new PcapngWriter().section().interface({ linkType: 1 }).enhanced(0, patternBytes(0, 60), 1n);
  const odd = await read(base().raw(Buffer.from([6, 0, 0, 0, 13, 0, 0, 0, 0, 0, 0, 0])).toCapture().bytes);
  assert.equal(odd.frames.length, 1);
  assert.match(odd.messages[0], /^bad block length at byte \d+ \(13 bytes, not a multiple of 4 of at least 12; reading stopped there\)$/);

  const mismatch = Buffer.from(base().enhanced(0, patternBytes(1, 60), 2n).enhanced(0, patternBytes(2, 60), 3n).toCapture().bytes);
  mismatch.writeUInt32LE(0xdead, mismatch.length - 4 - 92); // trailer of the second packet block
  const m = await read(mismatch);
  assert.equal(m.frames.length, 1);
  assert.match(m.messages[0], /^block length mismatch at byte \d+ \(leading 92, trailing 57005; reading stopped there\)$/);

  const w = base();
  const bad = w.length;
  w.enhanced(0, patternBytes(1, 60), 2n).enhanced(7, patternBytes(2, 60), 3n).enhanced(0, patternBytes(3, 60), 4n);
  const skipped = Buffer.from(w.toCapture().bytes);
  skipped.writeUInt32LE(1000, bad + 20); // captured length beyond the block
  const s = await read(skipped);
  assert.equal(s.frames.length, 2);
  assert.equal(s.summary.problems, 2);
  assert.deepEqual(s.messages.map((x) => x.replace(/ at byte.*/, '')), ['packet longer than its block', 'packet for an undeclared interface']);
});

test('a pipe reads like a file: plain and gzip captures through a FIFO (as with <(zcat f) or /dev/stdin)', async () => {
  const pcapng = multiInterfacePcapng();
  for (const bytes of [pcapng.bytes, gzipSync(pcapng.bytes)]) {
    const source = fileOf(bytes);
    const fifo = join(dir, `fifo-${fileCount++}`);
    await run(null, 'mkfifo', [fifo]);
    const writer = new Background(null, 'sh', ['-c', 'cat "$1" > "$2"', 'sh', source, fifo]); // started before the blocking open
    try {
      const collector = new FrameCollector();
      const summary = await readCaptureFile(fifo, collector, { progress: false, chunkSize: 100 });
      assertFrames(collector.frames, pcapng.frames, 0.5);
      assert.equal(summary.problems, 0);
    } finally {
      await writer.stop();
    }
  }
});
