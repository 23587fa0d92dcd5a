import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mix32, SketchArray } from '../../src/attribution/sketch.js';
import { HOST_SKETCH_BITS, OUTCOME_SKETCH_BITS, PORT_SKETCH_BITS } from '../../src/attribution/params.js';
import { Xorshift32 } from '../../support/xorshift.js';

const SIZES = [OUTCOME_SKETCH_BITS, HOST_SKETCH_BITS, PORT_SKETCH_BITS];

test('items on distinct bits are counted exactly below sqrt(m) - 1 (the collision correction still rounds away); repeats count once', () => {
  for (const m of SIZES) {
    const s = new SketchArray(3, m);
    assert.equal(s.estimate(1), 0);
    for (let n = 1; n < Math.sqrt(m) - 1; n++) {
      assert.equal(s.add(1, n), true);
      assert.equal(s.add(1, n), false, 'a repeat sets nothing');
      assert.equal(s.estimate(1), n, `m ${m}, ${n} items`);
    }
    assert.equal(s.estimate(0) + s.estimate(2), 0, 'entries are apart');
  }
});

test("the port sketch counts the ports a scanner walks (1..22, 1024..1046) exactly: the 15-port rule sees 15", () => {
  const s = new SketchArray(1, PORT_SKETCH_BITS);
  for (const from of [1, 1024]) {
    s.clear(0);
    for (let p = from; p < from + 22; p++) {
      s.add(0, mix32(p));
      assert.equal(s.estimate(0), p - from + 1, `port ${p}`);
    }
  }
});

/** Linear counting's standard error (Whang, Vander-Zanden and Taylor 1990): sqrt(m (e^t - t - 1)) / n, t = n/m. */
function standardError(n: number, m: number): number {
  const t = n / m;
  return Math.sqrt(m * (Math.exp(t) - t - 1)) / n;
}

test('random items: the estimate stays within 3 standard errors (+1 for rounding) up to the sketch size in 99% of 400 seeded runs', () => {
  for (const m of SIZES) {
    const rng = new Xorshift32(m);
    const s = new SketchArray(1, m);
    const checkpoints = [8, m / 8, m / 4, m / 2, m];
    const outside = new Map<number, number>(checkpoints.map((n) => [n, 0]));
    const runs = 400;
    for (let run = 0; run < runs; run++) {
      s.clear(0);
      for (let n = 1; n <= m; n++) {
        s.add(0, rng.nextU32());
        if (!outside.has(n)) continue;
        const bound = 3 * standardError(n, m) * n + 1;
        if (Math.abs(s.estimate(0) - n) > bound) outside.set(n, outside.get(n)! + 1);
      }
    }
    for (const [n, count] of outside) assert.ok(count <= runs * 0.01, `m ${m}, n ${n}: ${count} of ${runs} runs outside 3 standard errors`);
  }
});

test('a full sketch reports its ceiling m ln m and stays there; estimates never fall as items are added', () => {
  for (const m of SIZES) {
    const s = new SketchArray(1, m);
    let previous = 0;
    for (let i = 0; i < 64 * m; i++) {
      s.add(0, mix32(i));
      const e = s.estimate(0);
      assert.ok(e >= previous && Number.isFinite(e), `m ${m}: ${e} after ${previous}`);
      previous = e;
    }
    assert.equal(s.filled(0), m);
    assert.equal(s.estimate(0), Math.round(m * Math.log(m)));
    s.clear(0);
    assert.equal(s.estimate(0), 0);
  }
});

test('size is fixed: bytes depend on entries and bits only; bad sizes are refused', () => {
  assert.equal(new SketchArray(1024, 512).bytes, 1024 * (512 / 8 + 4));
  assert.throws(() => new SketchArray(1, 48), RangeError);
  assert.throws(() => new SketchArray(1, 16), RangeError);
});
