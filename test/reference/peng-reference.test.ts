import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { run } from '../../support/netns.js';
import { CRAFTED_LOCAL, CRAFTED_START, CRAFTED_TIME_FRAME, writeCraftedCapture } from './crafted-capture.js';
import { referenceRuns, referenceScript, referenceWindows, type ReferenceWindow } from './reference.js';

/** The seed's total entropy when `bitsSet[b]` bits of bin b are set, 64 bits per bin, 16 bins. */
function seedEntropy(bitsSet: number[]): number {
  let sum = 0;
  for (const k of bitsSet) {
    const p1 = k / 64;
    const p0 = 1 - p1;
    const h = p1 === 0 || p0 === 0 ? 0 : -(p1 * Math.log2(p1) + p0 * Math.log2(p0));
    sum += p1 > p0 ? 2 - h : h;
  }
  return sum / 16;
}
const ONE_BIT = seedEntropy([1]);
const TWO_BITS = seedEntropy([2]);

function summary(w: ReferenceWindow): [number, number, number, number, number, number] {
  return [w.frames, w.syn_packets, w.server_syns, w.client_syns, w.server_entropy, w.client_entropy];
}

function assertClose(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-9, `${what}: ${actual} is not ${expected}`);
}

test('the reference reproduces the golden values 0, 2 and 0.43590558771 on its own', async () => {
  const { stdout } = await run(null, 'python3', [referenceScript, '--self-test'], { timeoutMs: 30_000 });
  assert.match(stdout, /^ok ports 1024\.\.4500: 0\.4359055877/m);
  assert.doesNotMatch(stdout, /FAIL/);
});

test('the reference splits windows at t0 + kT and classifies by local addresses (crafted capture)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'peng-reference-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'crafted.pcap');
  writeCraftedCapture(file);

  const [windows, all, halves] = await referenceRuns(file, [
    { timeFrame: CRAFTED_TIME_FRAME, local: CRAFTED_LOCAL },
    { timeFrame: CRAFTED_TIME_FRAME },
    { timeFrame: '500ms', local: CRAFTED_LOCAL },
  ]);
  assert.ok(windows && all && halves);
  assert.equal(windows.length, 4);
  assert.equal(windows[0]!.start, CRAFTED_START.toISOString());
  assert.equal(windows[3]!.end, new Date(CRAFTED_START.getTime() + 4000).toISOString());
  assert.equal(windows[0]!.start_ns, '1700000000000000000');
  assert.deepEqual(summary(windows[0]!), [3, 2, 1, 1, ONE_BIT, ONE_BIT]);
  assert.deepEqual(summary(windows[1]!), [3, 2, 1, 0, ONE_BIT, 0]);
  assert.deepEqual(summary(windows[2]!), [0, 0, 0, 0, 0, 0]);
  assert.deepEqual(summary(windows[3]!), [3, 2, 1, 1, ONE_BIT, ONE_BIT]);

  // Without local addresses every SYN is server traffic, the one between two other hosts included.
  assert.deepEqual(all.map((w) => [w.server_syns, w.client_syns]), [[2, 0], [2, 0], [0, 0], [2, 0]]);
  assertClose(all[0]!.server_entropy, TWO_BITS, 'ports 22 and 443 set two bits of bin 0');

  // A frame exactly on a boundary opens the next window; one microsecond less stays.
  assert.equal(halves.length, 8);
  assert.deepEqual(halves.map((w) => w.frames), [1, 2, 3, 0, 0, 0, 2, 1]);
});

test('the reference takes other bitmap shapes and rejects a size that bins do not divide', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'peng-reference-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'crafted.pcap');
  writeCraftedCapture(file);
  const [w0] = await referenceWindows(file, { timeFrame: '1h', local: CRAFTED_LOCAL, bins: 4, size: 64 });
  // Server ports 22, 8080, 80 with 4 bins of 16 bits: m = floor(port / 4) % 64 = 5, 36, 20: one bit in bins 0, 2, 1.
  const h = (p1: number): number => -(p1 * Math.log2(p1) + (1 - p1) * Math.log2(1 - p1));
  assertClose(w0!.server_entropy, (h(1 / 16) * 3) / 4, 'server entropy with 4 bins x 64');
  await assert.rejects(referenceWindows(file, { timeFrame: '1s', bins: 3, size: 1024 }), /multiple of bins/);
});
