import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { readCaptureFile } from '../../../src/sources/capture-file/capture-file.js';
import { craftPcap, type CraftedCapture } from '../../../support/capture-writers.js';
import { FrameCollector } from '../../support/frame-collector.js';
import { TcpFlags, tcpFrame } from '../../../support/frames.js';
import { run } from '../../../support/netns.js';
import { Xorshift32 } from '../../../support/xorshift.js';

// Damaged gzip captures read as `gzip -dc` and tshark read them: every frame inflated before the damage is
// kept, the damage is said once by kind, and only damage that ends the data makes the replay incomplete.

const dir = mkdtempSync(join(tmpdir(), 'peng-gzip-damage-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** SYNs with random payloads (compression sees realistic data): `count` frames. */
function capture(count: number, seed: number): CraftedCapture {
  const rng = new Xorshift32(seed);
  return craftPcap(
    { linkType: 1 },
    Array.from({ length: count }, (_, i) => {
      const payload = new Uint8Array(rng.below(400));
      rng.fill(payload, 0, payload.length);
      const bytes = tcpFrame({ link: 'ethernet', ipv4: { src: '198.51.100.7', dst: '192.0.2.1' }, tcp: { dstPort: 1 + (i % 65535), flags: TcpFlags.SYN, payload } });
      return { bytes, seconds: 1_700_000_000 + (i >> 6), fraction: (i * 997) % 1e6 };
    }),
  );
}

let fileCount = 0;
function fileOf(bytes: Uint8Array): string {
  const path = join(dir, `damaged-${fileCount++}.pcap.gz`);
  writeFileSync(path, bytes);
  return path;
}

/** Frames tshark reads from the damaged file itself. */
async function tsharkCount(path: string): Promise<number> {
  const { stdout } = await run(null, 'tshark', ['-n', '-r', path, '-T', 'fields', '-e', 'frame.number'], { check: false, timeoutMs: 60_000 });
  return stdout.split('\n').filter((line) => line !== '').length;
}

/** Bytes `gzip -dc` inflates from the damaged file (it writes what it can, then complains). */
async function gzipInflatedLength(path: string): Promise<number> {
  const { stdout } = await run(null, 'sh', ['-c', 'gzip -dc "$1" | wc -c', 'sh', path], { check: false });
  return Number(stdout.trim());
}

async function ours(path: string) {
  const collector = new FrameCollector();
  const messages: string[] = [];
  const summary = await readCaptureFile(path, collector, { progress: false, onProblem: (m) => messages.push(m) });
  return { summary, frames: collector.frames, messages };
}

/** Complete records within the first `length` bytes of the uncompressed capture. */
function framesWithin(original: CraftedCapture, length: number): number {
  return original.frames.filter((f) => f.end <= length).length;
}

interface Damage {
  name: string;
  damage: (gz: Buffer) => Buffer;
  kind: string;
  stoppedEarly: string | null;
}

const damages: Damage[] = [
  { name: 'trailing garbage', damage: (gz) => Buffer.concat([gz, Buffer.from('GARBAGE!')]), kind: 'trailing garbage after the compressed data', stoppedEarly: null },
  { name: 'trailing zeros', damage: (gz) => Buffer.concat([gz, Buffer.alloc(4096)]), kind: 'trailing garbage after the compressed data', stoppedEarly: null },
  { name: 'bad CRC', damage: (gz) => flip(gz, gz.length - 8), kind: 'gzip checksum mismatch', stoppedEarly: null },
  { name: 'bad length', damage: (gz) => flip(gz, gz.length - 2), kind: 'gzip length mismatch', stoppedEarly: null },
  { name: 'cut in the trailer', damage: (gz) => gz.subarray(0, gz.length - 3), kind: 'truncated compressed data', stoppedEarly: 'truncated compressed data' },
  { name: 'cut in the middle', damage: (gz) => gz.subarray(0, gz.length >> 1), kind: 'truncated compressed data', stoppedEarly: 'truncated compressed data' },
];

function flip(gz: Buffer, at: number): Buffer {
  const copy = Buffer.from(gz);
  copy[at] ^= 0x5a;
  return copy;
}

for (const [size, count] of [['small (7 KB)', 100], ['5 MB', 20_000]] as const) {
  test(`${size} gzip capture: trailing bytes, bad checksums and cuts keep every frame gzip -dc and tshark get`, { timeout: 120_000 }, async () => {
    const original = capture(count, 0xc0ffee + count);
    const gz = gzipSync(original.bytes);
    for (const d of damages) {
      const path = fileOf(d.damage(gz));
      const { summary, frames, messages } = await ours(path);
      const inflated = await gzipInflatedLength(path);
      const expected = framesWithin(original, inflated);
      assert.equal(frames.length, expected, `${d.name}: frames in gzip -dc's ${inflated} bytes`);
      assert.equal(frames.length, await tsharkCount(path), `${d.name}: tshark's frame count`);
      frames.forEach((f, i) => assert.deepEqual(Buffer.from(f.bytes), Buffer.from(original.frames[i].bytes), `${d.name}: frame ${i}`));
      assert.equal(messages.length, 1, `${d.name}: said once: ${messages.join(' | ')}`);
      assert.ok(messages[0].startsWith(`${d.kind} at byte `), `${d.name}: ${messages[0]}`);
      assert.equal(summary.stoppedEarly, d.stoppedEarly, d.name);
      assert.equal(summary.interrupted, false);
    }
  });
}

test('trailing garbage after two members: both members read, the garbage counted once', async () => {
  const original = capture(300, 7);
  const half = original.frames[150].start;
  const path = fileOf(Buffer.concat([gzipSync(original.bytes.subarray(0, half)), gzipSync(original.bytes.subarray(half)), Buffer.from('\n\nnot gzip at all\n')]));
  const { summary, frames, messages } = await ours(path);
  assert.equal(frames.length, 300);
  assert.equal(await tsharkCount(path), 300);
  assert.equal(messages.length, 1, messages.join(' | '));
  assert.match(messages[0], new RegExp(`^trailing garbage after the compressed data at byte ${original.bytes.length} \\(18 bytes from compressed byte \\d+; ignored, as gzip does\\)$`));
  assert.equal(summary.stoppedEarly, null);
});

test('corrupt deflate data stops reading at the damage: every frame inflated before it kept, the replay incomplete', async () => {
  const original = capture(20_000, 11);
  const half = original.frames[10_000].start;
  const second = Buffer.from(gzipSync(original.bytes.subarray(half)));
  second[10] = 0x07; // the first deflate block of member 2 claims the reserved block type 3
  const invalid = fileOf(Buffer.concat([gzipSync(original.bytes.subarray(0, half)), second]));
  const r = await ours(invalid);
  assert.equal(r.frames.length, 10_000);
  assert.equal(await tsharkCount(invalid), 10_000);
  assert.equal(r.messages.length, 1, r.messages.join(' | '));
  assert.match(r.messages[0], new RegExp(`^damaged compressed data at byte ${half} \\(gzip member 2 near compressed byte \\d+: invalid block type; reading stopped there\\)$`));
  assert.equal(r.summary.stoppedEarly, 'damaged compressed data');

  // Bytes overwritten inside a member: zlib may decode them into nonsense before it fails, so the reader
  // finds the damage either in the deflate data or in the records; the frames before it are kept either way.
  const gz = Buffer.from(gzipSync(original.bytes));
  const at = gz.length >> 1;
  const intact = gunzipSync(gz.subarray(0, at), { finishFlush: constants.Z_SYNC_FLUSH }).length;
  gz.fill(0xff, at, at + 64);
  const { summary, frames, messages } = await ours(fileOf(gz));
  const before = framesWithin(original, intact);
  assert.ok(frames.length >= before, `${frames.length} frames of ${before} before the damage`);
  for (let i = 0; i < before; i++) assert.deepEqual(Buffer.from(frames[i].bytes), Buffer.from(original.frames[i].bytes), `frame ${i}`);
  assert.equal(messages.length, 1, messages.join(' | '));
  assert.notEqual(summary.stoppedEarly, null);
});
