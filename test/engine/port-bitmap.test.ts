import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PortBitmap, binEntropy, checkShape, defaultPortHash, Bitmap } from '../../src/engine/index.js';

const defaults = { bins: 16, size: 1024 };

test('golden values with 16 bins x 1024 bits: none 0, all ports 2, ports 1024..4500 0.43590558771', () => {
  const b = new PortBitmap(defaults);
  assert.equal(b.entropy(), 0);
  for (let p = 1024; p <= 4500; p++) b.addPort(p);
  assert.ok(Math.abs(b.entropy() - 0.43590558771) < 1e-9, `got ${b.entropy()}`);
  b.clear();
  for (let p = 0; p <= 65535; p++) b.addPort(p);
  assert.equal(b.entropy(), 2);
});

test('the default hash is the seed hash: floor(port / bins) mod size, then bin and bit', () => {
  const b = new PortBitmap(defaults);
  // Port 4500: 4500/16 = 281 -> bin 281/64 = 4, bit 281 % 64 = 25.
  assert.deepEqual(b.locate(4500), { bin: 4, bit: 25 });
  assert.equal(defaultPortHash(65535, 16, 1024), 4095 % 1024);
  // With bins 1 and size 65536 every port has its own bit (the original crashed here: uint16(65536) = 0).
  const full = new PortBitmap({ bins: 1, size: 65536 });
  for (let p = 0; p < 1000; p++) full.addPort(p);
  assert.equal(full.summary().bitsSet, 1000);
});

test('summary agrees with entropy() and counts bits per bin', () => {
  const b = new PortBitmap(defaults);
  for (const p of [0, 15, 16, 1024, 1040, 65535]) b.addPort(p);
  const s = b.summary();
  assert.equal(s.entropy, b.entropy());
  assert.equal(s.binEntropies.length, 16);
  assert.equal(s.bitsSetPerBin.reduce((a, c) => a + c, 0), s.bitsSet);
  // 0 and 15 share position 0; 16 -> 1; 1024 -> 64 (bin 1); 1040 -> 65; 65535 -> 4095 % 1024 = 1023 (bin 15).
  assert.equal(s.bitsSet, 5);
  assert.deepEqual([s.bitsSetPerBin[0], s.bitsSetPerBin[1], s.bitsSetPerBin[15]], [2, 2, 1]);
});

test('properties for several shapes: 0 <= h <= 2, monotone in bits set, clear() really clears', () => {
  for (const [bins, size] of [[1, 1], [1, 64], [4, 128], [16, 1024], [64, 65536], [256, 4096], [3, 96]] as const) {
    const b = new PortBitmap({ bins, size });
    let previous = b.entropy();
    assert.equal(previous, 0);
    // Fill bit positions one by one in order: total entropy never decreases.
    for (let m = 0; m < size; m += Math.max(1, size >> 8)) {
      b.addPort(m * bins);
      const h = b.entropy();
      assert.ok(h >= 0 && h <= 2, `h=${h} for ${bins}x${size}`);
      assert.ok(h >= previous - 1e-12, `entropy fell from ${previous} to ${h} for ${bins}x${size}`);
      previous = h;
    }
    b.clear();
    assert.equal(b.entropy(), 0);
    assert.equal(b.summary().bitsSet, 0);
  }
});

test('binEntropy is the flipped binary entropy: 0 empty, 1 half, 2 full, symmetric around the flip', () => {
  assert.equal(binEntropy(0, 64), 0);
  assert.equal(binEntropy(32, 64), 1);
  assert.equal(binEntropy(64, 64), 2);
  const low = binEntropy(16, 64);
  assert.ok(Math.abs(low - 0.8112781244591328) < 1e-12);
  assert.ok(Math.abs(binEntropy(48, 64) - (2 - low)) < 1e-12);
});

test('shape errors are messages, never a divide by zero', () => {
  assert.match(checkShape(0, 1024) ?? '', /bin must be an integer >= 1/);
  assert.match(checkShape(16, 1000) ?? '', /multiple of bin/);
  assert.match(checkShape(16, 70000) ?? '', /at most 65536/);
  assert.match(checkShape(2048, 1024) ?? '', /at least bin/);
  assert.equal(checkShape(16, 65536), null);
  assert.throws(() => new PortBitmap({ bins: 0, size: 1024 }), RangeError);
});

test('a user hash is validated at start, and a bad position at run time is counted, reported once', () => {
  assert.throws(() => new PortBitmap({ ...defaults, hash: (port) => port }), /returned 1024 for port 1024/);
  assert.throws(() => new PortBitmap({ ...defaults, hash: () => Number.NaN }), /returned NaN/);
  assert.throws(() => new PortBitmap({ ...defaults, hash: () => { throw new Error('boom'); } }), /threw for port 0: boom/);
  // Passes the sample but goes wrong on port 7: skipped and counted, no throw.
  const b = new PortBitmap({ ...defaults, hash: (port) => (port === 7 ? -1 : port % 1024) });
  assert.equal(b.addPort(7), false);
  assert.equal(b.addPort(7), false);
  assert.equal(b.addPort(8), true);
  assert.equal(b.rejected, 2);
  assert.match(b.hashProblem ?? '', /returned -1 for port 7/);
  assert.equal(b.summary().bitsSet, 1);
});

test('state is tiny: 128 bytes of bits per direction at the defaults', () => {
  assert.equal(new PortBitmap(defaults).stateBytes, 128);
  const bm = new Bitmap(70);
  bm.set(0); bm.set(33); bm.set(69);
  assert.equal(bm.countRange(1, 69), 1);
  assert.equal(bm.count(), 3);
});
