import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ensureCapture, type GeneratedCapture } from '../../bench/generate-capture.js';
import { LOCAL_ADDRESSES } from '../../bench/traffic-model.js';
import { SYN_FILTER_TAGGED } from '../../src/sources/live/bpf-filter.js';
import { pengBin } from '../../support/paths.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory per call, so two calls with the same parameters really generate twice. */
async function generate(frames: number, seed: number): Promise<GeneratedCapture> {
  const dir = mkdtempSync(join(tmpdir(), 'peng-bench-test-'));
  dirs.push(dir);
  return ensureCapture({ frames, seed, snaplen: 128 }, () => {}, dir);
}

let shared: Promise<GeneratedCapture> | null = null;
const sharedCapture = (): Promise<GeneratedCapture> => (shared ??= generate(30_000, 5));

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

function tcpdumpCount(file: string, filter?: string): number {
  const result = spawnSync('tcpdump', ['--count', '-r', file, ...(filter ? [filter] : [])], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return Number(/^(\d+) packets?$/m.exec(result.stdout + result.stderr)![1]);
}

test('the same parameters give byte-identical captures; another seed gives another', async () => {
  const a = await generate(20_000, 11);
  const b = await generate(20_000, 11);
  const c = await generate(20_000, 12);
  assert.equal(sha256(a.pcap), sha256(b.pcap));
  assert.notEqual(sha256(a.pcap), sha256(c.pcap));
  assert.deepEqual({ ...a, pcap: '', gzip: '' }, { ...b, pcap: '', gzip: '' });
});

test('tcpdump reads every frame, and its SYN filter finds exactly the SYNs the generator counted', async () => {
  const capture = await sharedCapture();
  assert.equal(tcpdumpCount(capture.pcap), 30_000);
  assert.equal(tcpdumpCount(capture.pcap, SYN_FILTER_TAGGED), capture.synFrames);
  // About 5 % of frames open a connection (a scan adds some in the middle).
  const share = capture.synFrames / capture.frames;
  assert.ok(share > 0.04 && share < 0.08, `SYN share ${share}`);
});

test('the mix has IPv6, VLAN-tagged, UDP, ARP and non-IP frames, as tcpdump sees them', async () => {
  const capture = await sharedCapture();
  const count = (filter: string): number => tcpdumpCount(capture.pcap, filter);
  const total = capture.frames;
  const tagged = count('vlan');
  assert.ok(tagged > total * 0.03 && tagged < total * 0.2, `VLAN-tagged ${tagged}`);
  assert.ok(count('ip6 or (vlan and ip6)') > total * 0.08, 'IPv6');
  assert.ok(count('udp or (vlan and udp)') > total * 0.08, 'UDP');
  assert.ok(count('arp') > 0, 'ARP');
  assert.ok(count('not ip and not ip6 and not arp and not vlan') > 0, 'non-IP');
});

test('peng replay counts every frame and SYN of the plain and the gzip capture, none malformed', async () => {
  const capture = await sharedCapture();
  for (const file of [capture.pcap, capture.gzip]) {
    const result = spawnSync(process.execPath, [pengBin, 'replay', file, '-json', '-verbose', '0', '-localAddresses', LOCAL_ADDRESSES], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const windows = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { capture: { frames: number; synPackets: number; malformed: number } });
    const sum = (key: 'frames' | 'synPackets' | 'malformed'): number => windows.reduce((n, w) => n + w.capture[key], 0);
    assert.deepEqual({ frames: sum('frames'), syns: sum('synPackets'), malformed: sum('malformed') }, { frames: 30_000, syns: capture.synFrames, malformed: 0 });
  }
});
