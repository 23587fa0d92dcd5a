import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { craftPcap, PcapngWriter } from '../../support/capture-writers.js';
import { TcpFlags, tcpFrame } from '../../support/frames.js';
import { runPeng } from '../support/run-peng.js';

// Exit status 3: the input was damaged and reading stopped before its end; the windows before the damage
// were reported. Damage skipped with reading going on exits 0 with its warning. One test per stop reason.

const dir = mkdtempSync(join(tmpdir(), 'peng-incomplete-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const START = 1_700_000_000;
/** One SYN a second for 30 s: three 10 s windows when read to the end. */
const syns = Array.from({ length: 30 }, (_, i) => tcpFrame({ link: 'ethernet', ipv4: { src: '198.51.100.3', dst: '192.0.2.1' }, tcp: { dstPort: 1000 + i, flags: TcpFlags.SYN } }));

function pcap(capturedLengthAt?: number): ReturnType<typeof craftPcap> {
  return craftPcap({ linkType: 1 }, syns.map((bytes, i) => ({ bytes, seconds: START + i, fraction: 0, ...(i === capturedLengthAt ? { capturedLength: 0xffffffff } : {}) })));
}

function pcapng(secondSectionMajor: number | null, unknownBlocks = false): Buffer {
  const w = new PcapngWriter().section().interface({ linkType: 1 });
  syns.slice(0, 15).forEach((bytes, i) => {
    w.enhanced(0, bytes, BigInt(START + i) * 1_000_000n);
    if (unknownBlocks) w.other(0x1234, new Uint8Array(8));
  });
  if (secondSectionMajor !== null) w.section({ major: secondSectionMajor }).interface({ linkType: 1 });
  syns.slice(15).forEach((bytes, i) => w.enhanced(0, bytes, BigInt(START + 15 + i) * 1_000_000n));
  return w.toCapture().bytes;
}

let fileCount = 0;
function replay(bytes: Uint8Array) {
  const path = join(dir, `input-${fileCount++}`);
  writeFileSync(path, bytes);
  const run = runPeng(['replay', path, '-timeFrame', '10s', '-json', '-verbose', '0', '-localAddresses', '192.0.2.1']);
  const windows = run.stdout.trim() === '' ? [] : run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { server: { synPackets: number }; partial?: boolean });
  return { ...run, windows, synPackets: windows.reduce((n, w) => n + w.server.synPackets, 0) };
}

function assertIncomplete(r: ReturnType<typeof replay>, reason: string, synPackets: number): void {
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.synPackets, synPackets, 'the SYNs before the damage are all reported');
  assert.equal(r.windows.at(-1)!.partial, true, 'the window cut by the damage is partial');
  assert.equal((r.stderr.match(new RegExp(`${reason} at byte`, 'g')) ?? []).length, 1, `said once: ${r.stderr}`);
  assert.match(r.stderr, new RegExp(`replay of \\S+ incomplete: reading stopped at the ${reason} after ${synPackets} frames; the windows before it were reported`));
}

test('an absurd pcap record length: exit 3, the windows before it reported', () => {
  assertIncomplete(replay(pcap(20).bytes), 'absurd record length', 20);
});

test('an unsupported pcapng version in a later section: exit 3', () => {
  assertIncomplete(replay(pcapng(2)), 'unsupported pcapng version', 15);
});

test('a pcap cut inside its last record: exit 3', () => {
  const whole = pcap();
  assertIncomplete(replay(whole.bytes.subarray(0, whole.frames[25].end - 10)), 'truncated last record', 25);
});

test('a gzip stream cut short: exit 3, the frames inflated before the cut reported', () => {
  const whole = pcap();
  const gz = gzipSync(whole.bytes);
  const r = replay(gz.subarray(0, gz.length - 4)); // inside the trailer: every frame is there, the end is not
  assertIncomplete(r, 'truncated compressed data', 30);
});

test('damaged deflate data in a later gzip member: exit 3', () => {
  const whole = pcap();
  const half = whole.frames[12].end;
  const second = Buffer.from(gzipSync(whole.bytes.subarray(half)));
  second[10] = 0x07; // reserved deflate block type
  assertIncomplete(replay(Buffer.concat([gzipSync(whole.bytes.subarray(0, half)), second])), 'damaged compressed data', 13);
});

test('damage skipped with reading going on is not incomplete: unknown pcapng blocks, trailing garbage, a bad gzip checksum exit 0', () => {
  const unknown = replay(pcapng(null, true));
  assert.equal(unknown.code, 0, unknown.stderr);
  assert.equal(unknown.synPackets, 30);
  assert.match(unknown.stderr, /unknown block type at byte \d+ \(0x00001234; skipped\); 15 in all/);
  // A small gzip capture with trailing garbage used to exit 2 with no window at all.
  const gz = gzipSync(pcap().bytes);
  const garbage = replay(Buffer.concat([gz, Buffer.from('GARBAGE!')]));
  assert.equal(garbage.code, 0, garbage.stderr);
  assert.equal(garbage.synPackets, 30);
  assert.equal(garbage.windows.length, 3);
  assert.equal((garbage.stderr.match(/trailing garbage after the compressed data at byte \d+ \(8 bytes from compressed byte \d+; ignored, as gzip does\)/g) ?? []).length, 1, garbage.stderr);
  const crc = Buffer.from(gz);
  crc[crc.length - 8] ^= 0xff;
  const badCrc = replay(crc);
  assert.equal(badCrc.code, 0, badCrc.stderr);
  assert.equal(badCrc.synPackets, 30);
  assert.match(badCrc.stderr, /gzip checksum mismatch at byte \d+ \(member 1 trailer at compressed byte \d+: CRC-32 0x[0-9a-f]{8} stored, 0x[0-9a-f]{8} computed; its data was kept\)/);
});
