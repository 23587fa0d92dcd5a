import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyHash, SourceIndex } from '../../src/attribution/source-index.js';
import { Xorshift32 } from '../../support/xorshift.js';

/** Keys as the table files them: IPv4 as ::ffff:a.b.c.d (0, 0, 0xffff, a), IPv6 as four words. */
function key(rng: Xorshift32, pool: number): [number, number, number, number] {
  // A small pool of addresses makes removals hit and re-inserts reuse keys; v4 and v6 mixed.
  const n = rng.below(pool);
  return n % 3 === 0 ? [0x20010db8, 0, n, 0x1] : [0, 0, 0xffff, (0xc6336400 + n) >>> 0];
}

test('100 k random inserts, finds and removes under heavy churn agree with a Map at every step (backward-shift deletion)', () => {
  const capacity = 1024;
  const index = new SourceIndex(capacity);
  const rng = new Xorshift32(0xc0ffee);
  const oracle = new Map<string, number>();
  const free: number[] = Array.from({ length: capacity }, (_, i) => capacity - 1 - i);
  const hashOfEntry = new Map<number, number>();
  let removes = 0;
  for (let op = 0; op < 100_000; op++) {
    const k = key(rng, 3000);
    const h = keyHash(...k);
    const name = k.join(':');
    const found = index.find(...k, h);
    assert.equal(found, oracle.get(name) ?? -1, `op ${op}: find ${name}`);
    // Near full most of the time: long runs are where backward shift can go wrong.
    const insert = free.length > 0 && (found < 0 ? rng.chance(0.7) : false);
    if (insert) {
      const e = free.pop()!;
      index.insert(e, ...k, h);
      oracle.set(name, e);
      hashOfEntry.set(e, h);
    } else if (oracle.size > 0 && (found >= 0 || rng.chance(0.5))) {
      // Remove what was found, or a random live entry.
      const [victimName, e] = found >= 0 ? [name, found] : [...oracle.entries()][rng.below(oracle.size)]!;
      assert.equal(index.hashOf(e), hashOfEntry.get(e));
      index.remove(e, hashOfEntry.get(e)!);
      oracle.delete(victimName);
      free.push(e);
      removes++;
    }
  }
  assert.ok(removes > 20_000, `${removes} removals`);
  // Every survivor still found, every removed key gone.
  for (const [name, e] of oracle) {
    const k = name.split(':').map(Number) as [number, number, number, number];
    assert.equal(index.find(...k, keyHash(...k)), e);
  }
  const rng2 = new Xorshift32(1);
  for (let i = 0; i < 3000; i++) {
    const k = key(rng2, 3000);
    assert.equal(index.find(...k, keyHash(...k)), oracle.get(k.join(':')) ?? -1);
  }
});

test('colliding keys (one home slot) are all found after removing from the run\'s middle and start', () => {
  const index = new SourceIndex(16);
  // Keys whose hashes share the low 5 bits (the 32-slot mask): one run.
  const keys: [number, number, number, number][] = [];
  for (let a = 0; keys.length < 6; a++) {
    const k: [number, number, number, number] = [0, 0, 0xffff, a];
    if ((keyHash(...k) & 31) === 7) keys.push(k);
  }
  keys.forEach((k, e) => index.insert(e, ...k, keyHash(...k)));
  index.remove(2, keyHash(...keys[2]!));
  index.remove(0, keyHash(...keys[0]!));
  keys.forEach((k, e) => assert.equal(index.find(...k, keyHash(...k)), e === 0 || e === 2 ? -1 : e));
  assert.equal(index.bytes, 32 * 4 + 16 * 16, 'slots twice the entries (power of two), four words a key');
});
