import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseByteSize, parseGoDuration } from '../../src/config/units.js';

test('Go-style durations parse to milliseconds', () => {
  const cases: Array<[string, number]> = [
    ['500ms', 500],
    ['8s', 8000],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['2m30.5s', 150_500],
    ['100000us', 100],
    ['100000µs', 100],
    ['100000000ns', 100],
    ['.5s', 500],
    ['0', 0],
    ['-2s', -2000],
  ];
  for (const [text, ms] of cases) assert.equal(parseGoDuration(text), ms, text);
});

test('text that Go would reject is not a duration', () => {
  for (const text of ['', 'soon', '60', '1', '1d', '1 m', 'm', '1m30', 's1', '--1s', '1.2.3s', '1e3s', 'x'.repeat(100)]) {
    assert.equal(parseGoDuration(text), null, JSON.stringify(text));
  }
});

test('durations format back to the shortest Go-style text', () => {
  assert.equal(formatDuration(60_000), '1m');
  assert.equal(formatDuration(5_400_000), '1h30m');
  assert.equal(formatDuration(1500), '1.5s');
  assert.equal(formatDuration(250), '250ms');
  assert.equal(formatDuration(0), '0s');
  for (const text of ['100ms', '8s', '1m', '1h', '1h30m', '2h0m5s']) {
    assert.equal(parseGoDuration(formatDuration(parseGoDuration(text)!)), parseGoDuration(text), text);
  }
});

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

