import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatByteSize, parseByteSize } from '../../src/config/byte-size.js';

test('byte sizes accept plain bytes, binary and decimal units', () => {
  const cases: Array<[string, number]> = [
    ['4194304', 4 * 1024 * 1024],
    ['4MiB', 4 * 1024 * 1024],
    ['512KiB', 512 * 1024],
    ['512kib', 512 * 1024],
    ['1GiB', 1024 ** 3],
    ['2MB', 2_000_000],
    ['1.5KiB', 1536],
    ['64 KiB', 65536],
    ['100B', 100],
  ];
  for (const [text, bytes] of cases) assert.equal(parseByteSize(text), bytes, text);
});

test('byte sizes reject units that are ambiguous or unknown and fractions of a byte', () => {
  for (const text of ['', '4M', '4K', 'lots', '-1MiB', '0.5B', '1TiB', '9'.repeat(40)]) {
    assert.equal(parseByteSize(text), null, text);
  }
});

test('byte sizes format with the largest binary unit that divides them', () => {
  assert.equal(formatByteSize(4 * 1024 * 1024), '4MiB');
  assert.equal(formatByteSize(512 * 1024), '512KiB');
  assert.equal(formatByteSize(1000), '1000B');
});
