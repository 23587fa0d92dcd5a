import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { PortBitmap } from '../../src/engine/index.js';

// An independent oracle: the seed's arithmetic written again in Python, sharing no code with the engine.
const oracle = String.raw`
import math, json, sys
bins, size, lo, hi = map(int, sys.argv[1:5])
bits = size // bins
counts = [set() for _ in range(bins)]
for port in range(lo, hi + 1):
    m = (port // bins) % size
    counts[m // bits].add(m % bits)
total = 0.0
for c in counts:
    p1 = len(c) / bits; p0 = 1 - p1
    h = 0.0 if p1 == 0 or p0 == 0 else -(p1 * math.log2(p1) + p0 * math.log2(p0))
    total += 2 - h if p1 > p0 else h
print(json.dumps(total / bins))
`;

test('the engine equals an independent implementation for many shapes and port ranges', () => {
  const cases: Array<[number, number, number, number]> = [
    [16, 1024, 1024, 4500], [16, 1024, 0, 65535], [16, 1024, 1, 1023], [8, 512, 20000, 20999],
    [64, 65536, 0, 40000], [1, 256, 100, 300], [256, 4096, 5000, 9000], [16, 1024, 80, 80],
  ];
  for (const [bins, size, lo, hi] of cases) {
    const expected = Number(execFileSync('python3', ['-c', oracle, String(bins), String(size), String(lo), String(hi)]).toString());
    const b = new PortBitmap({ bins, size });
    for (let p = lo; p <= hi; p++) b.addPort(p);
    assert.ok(Math.abs(b.entropy() - expected) < 1e-12, `${bins}x${size} ports ${lo}..${hi}: ${b.entropy()} vs ${expected}`);
  }
});
