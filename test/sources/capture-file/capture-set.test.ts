import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CaptureFileError, readCaptureFile } from '../../../src/sources/capture-file/capture-file.js';
import { naturalCompare, readCaptureSet, type ReadCaptureSetOptions } from '../../../src/sources/capture-file/capture-set.js';
import { DEFAULT_START_MICROS, patternBytes, pcapFile, PcapngWriter, type PcapRecord } from '../../../support/capture-writers.js';
import { FrameCollector } from '../../support/frame-collector.js';

const root = mkdtempSync(join(tmpdir(), 'peng-capset-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
function freshDir(): string {
  const dir = join(root, `set-${dirs++}`);
  mkdirSync(dir);
  return dir;
}

/** `n` frames 10 ms apart from `fromMicros`, tagged by their index so order is visible. */
function records(from: number, n: number, fromMicros: number): PcapRecord[] {
  return Array.from({ length: n }, (_, i) => ({ bytes: patternBytes(from + i, 60), timeMicros: fromMicros + (from + i) * 10_000 }));
}

/** 30 frames split into three rotations of 10 (what `tcpdump -C` writes), and the same frames in one file. */
function rotation(): { parts: Buffer[]; whole: Buffer; all: PcapRecord[] } {
  const all = records(0, 30, DEFAULT_START_MICROS);
  return { parts: [0, 1, 2].map((k) => pcapFile(1, all.slice(k * 10, k * 10 + 10))), whole: pcapFile(1, all), all };
}

async function readSet(paths: string[], options: ReadCaptureSetOptions = {}) {
  const collector = new FrameCollector();
  const problems: string[] = [];
  const skipped: string[] = [];
  const summary = await readCaptureSet(paths, collector, { progress: false, onProblem: (m) => problems.push(m), onSkipped: (m) => skipped.push(m), ...options });
  return { summary, frames: collector.frames, problems, skipped };
}

async function readWhole(bytes: Buffer) {
  const path = join(freshDir(), 'whole.pcap');
  writeFileSync(path, bytes);
  const collector = new FrameCollector();
  await readCaptureFile(path, collector, { progress: false });
  return collector.frames;
}

test('numbered rotations (f.pcap, f.pcap1 ... f.pcap10) are read in time order, as the concatenation is', async () => {
  const all = records(0, 120, DEFAULT_START_MICROS);
  const dir = freshDir();
  // tcpdump -C names: f.pcap, f.pcap1, f.pcap2 ... f.pcap11: by plain name order f.pcap10 would come before f.pcap2.
  for (let k = 0; k < 12; k++) writeFileSync(join(dir, k === 0 ? 'f.pcap' : `f.pcap${k}`), pcapFile(1, all.slice(k * 10, k * 10 + 10)));
  const { summary, frames, problems } = await readSet([dir]);
  assert.deepEqual(problems, []);
  assert.equal(summary.order.length, 12);
  assert.deepEqual(frames, await readWhole(pcapFile(1, all)));
  assert.equal(summary.frames, 120);
  assert.deepEqual(summary.damagedFiles, []);
});

test('names that lie about the order: the first frame decides, files given one by one', async () => {
  const { parts, whole } = rotation();
  const dir = freshDir();
  const names = ['c-2024-01-01_00.pcap', 'a-2024-01-01_01.pcap', 'b-2024-01-01_02.pcap'];
  names.forEach((name, k) => writeFileSync(join(dir, name), parts[k]!));
  const { summary, frames } = await readSet([join(dir, names[2]!), join(dir, names[0]!), join(dir, names[1]!)]);
  assert.deepEqual(summary.order, names.map((n) => join(dir, n)));
  assert.deepEqual(frames, await readWhole(whole));
});

test('time-stamped rotations mixing pcap, pcapng with nanosecond stamps and gzip', async () => {
  const { parts, whole, all } = rotation();
  const dir = freshDir();
  writeFileSync(join(dir, 'cap-1700000000.pcap.gz'), gzipSync(parts[0]!));
  const ng = new PcapngWriter().section().interface({ linkType: 1, tsresol: 9 });
  for (const r of all.slice(10, 20)) ng.enhanced(0, r.bytes, BigInt(r.timeMicros!) * 1000n);
  writeFileSync(join(dir, 'cap-1700000100.pcapng'), ng.toCapture().bytes);
  writeFileSync(join(dir, 'cap-1700000200.pcap'), parts[2]!);
  const { summary, frames, problems } = await readSet([dir]);
  assert.deepEqual(problems, []);
  assert.equal(summary.order.length, 3);
  assert.deepEqual(frames, await readWhole(whole));
});

test('a damaged middle file is read up to its damage, said once, and the next one still read', async () => {
  const { parts, all } = rotation();
  const dir = freshDir();
  writeFileSync(join(dir, 'f.pcap0'), parts[0]!);
  // Cut inside its 6th record: tcpdump killed while writing, then restarted with the next file.
  writeFileSync(join(dir, 'f.pcap1'), parts[1]!.subarray(0, 24 + 5 * 76 + 30));
  writeFileSync(join(dir, 'f.pcap2'), parts[2]!);
  const { summary, frames, problems } = await readSet([dir]);
  assert.equal(frames.length, 25);
  assert.deepEqual(frames.map((f) => f.timeMicros), [...all.slice(0, 15), ...all.slice(20)].map((r) => r.timeMicros));
  assert.deepEqual(summary.damagedFiles, [join(dir, 'f.pcap1')]);
  assert.equal(summary.lastCutShort, false);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /f\.pcap1: truncated last record at byte/);
});

test('damage of one kind in several files is one message with its count; a broken header skips its file whole', async () => {
  const { parts } = rotation();
  const dir = freshDir();
  writeFileSync(join(dir, 'f.pcap0'), parts[0]!.subarray(0, parts[0]!.length - 3));
  writeFileSync(join(dir, 'f.pcap1'), parts[1]!.subarray(0, 10)); // a pcap magic, then nothing
  writeFileSync(join(dir, 'f.pcap2'), parts[2]!.subarray(0, parts[2]!.length - 3));
  const { summary, frames, problems } = await readSet([dir]);
  assert.equal(frames.length, 18);
  assert.deepEqual(summary.damagedFiles.sort(), ['f.pcap0', 'f.pcap1', 'f.pcap2'].map((n) => join(dir, n)));
  assert.equal(summary.lastCutShort, true);
  assert.equal(problems.length, 2, problems.join('\n'));
  assert.match(problems.find((m) => m.startsWith('truncated'))!, /^truncated last record in 2 files \(f\.pcap0, f\.pcap2\), 2 in all; first: .*f\.pcap0: truncated last record/);
  assert.match(problems.find((m) => !m.startsWith('truncated'))!, /f\.pcap1: ends inside its file header \(10 bytes\); skipped whole/);
});

test('a directory with other files: those are skipped with one message, subdirectories too', async () => {
  const { parts, whole } = rotation();
  const dir = freshDir();
  parts.forEach((p, k) => writeFileSync(join(dir, `f.pcap${k}`), p));
  writeFileSync(join(dir, 'README.txt'), 'captures of the edge router\n');
  writeFileSync(join(dir, 'empty'), '');
  mkdirSync(join(dir, 'old'));
  const { frames, skipped, problems } = await readSet([dir]);
  assert.deepEqual(frames, await readWhole(whole));
  assert.deepEqual(problems, []);
  assert.equal(skipped.length, 1);
  assert.match(skipped[0]!, /^skipped 3 entries that are not captures: .*README\.txt, .*empty, .*old$/);
});

test('refused before any frame: an explicit file that is no capture, a missing one, a directory without captures', async () => {
  const { parts } = rotation();
  const dir = freshDir();
  writeFileSync(join(dir, 'f.pcap0'), parts[0]!);
  writeFileSync(join(dir, 'notes.txt'), 'not a capture at all');
  for (const [paths, pattern] of [
    [[join(dir, 'f.pcap0'), join(dir, 'notes.txt')], /notes\.txt is not a pcap or pcapng file/],
    [[join(dir, 'f.pcap0'), join(dir, 'missing.pcap')], /missing\.pcap not found/],
    [[freshDir()], /^no capture file in /],
  ] as const) {
    const collector = new FrameCollector();
    const error = await readCaptureSet(paths, collector, { progress: false }).then(() => assert.fail('expected a refusal'), (e: unknown) => e);
    assert.ok(error instanceof CaptureFileError, String(error));
    assert.match(error.message, pattern);
    assert.equal(collector.frames.length, 0);
  }
});

test('natural name order', () => {
  assert.deepEqual(['f.pcap10', 'f.pcap2', 'f.pcap', 'f.pcap1'].sort(naturalCompare), ['f.pcap', 'f.pcap1', 'f.pcap2', 'f.pcap10']);
});
