import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseGoDuration } from '../../src/config/duration.js';

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
