import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HandshakePairs } from '../../src/attribution/handshake-pairs.js';
import { mix32 } from '../../src/attribution/sketch.js';

test('a pair noted either way round is found either way round; other pairs are not', () => {
  const p = new HandshakePairs(1024);
  const [a, b, c] = [mix32(1), mix32(2), mix32(3)];
  p.add(a, b);
  assert.equal(p.has(a, b), true);
  assert.equal(p.has(b, a), true);
  assert.equal(p.has(a, c), false);
  assert.equal(p.has(c, b), false);
});

test('fixed memory: slots rounded up to a power of two, and no more pairs remembered than slots', () => {
  const p = new HandshakePairs(100);
  assert.equal(p.bytes, 128 * 4);
  for (let i = 0; i < 10_000; i++) p.add(mix32(i), mix32(i + 1_000_000));
  let remembered = 0;
  for (let i = 0; i < 10_000; i++) if (p.has(mix32(i), mix32(i + 1_000_000))) remembered++;
  assert.ok(remembered > 0 && remembered <= 128, `${remembered} remembered`);
  assert.equal(p.has(mix32(9_999), mix32(1_009_999)), true, 'the newest pair wins its slot');
});

test('every slot is used: far more pairs than slots fill all of them, not half', () => {
  const p = new HandshakePairs(64);
  for (let i = 0; i < 100_000; i++) p.add(mix32(i), mix32(i + 1_000_000));
  let remembered = 0;
  for (let i = 0; i < 100_000; i++) if (p.has(mix32(i), mix32(i + 1_000_000))) remembered++;
  assert.equal(remembered, 64);
});
