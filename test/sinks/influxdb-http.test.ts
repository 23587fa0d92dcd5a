import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetryAfter, writeUrl } from '../../src/sinks/influxdb-http.js';
import { describeHttpStatus, refusedPortHint } from '../../src/sinks/influxdb-server.js';

test('Retry-After is seconds (RFC 9110), or an HTTP-date; anything else is ignored', () => {
  const now = Date.UTC(2024, 4, 1, 12);
  assert.equal(parseRetryAfter('3', now), 3_000);
  assert.equal(parseRetryAfter(' 0 ', now), 0);
  assert.equal(parseRetryAfter(['120', '5'], now), 120_000);
  assert.equal(parseRetryAfter(new Date(now + 7_000).toUTCString(), now), 7_000);
  assert.equal(parseRetryAfter(new Date(now - 7_000).toUTCString(), now), 0, 'a date in the past: retry now');
  for (const bad of [undefined, '', '1.5', '-3', '3ms', 'soon', 'Sun, 99 Foo']) assert.equal(parseRetryAfter(bad, now), null, String(bad));
});

test('an error answer is read as InfluxDB words it (JSON message) or as plain text, with a hint', () => {
  assert.equal(describeHttpStatus(401, '{"code":"unauthorized","message":"unauthorized access"}'), 'HTTP 401: unauthorized access; check --token and that it may write to the bucket');
  assert.equal(describeHttpStatus(404, '{"code":"not found","message":"bucket \\"b\\" not found"}'), 'HTTP 404: bucket "b" not found; check --org and --bucket');
  assert.equal(describeHttpStatus(400, 'line 1:\n bad\tfield'), 'HTTP 400: line 1: bad field');
  assert.equal(describeHttpStatus(429, ''), 'HTTP 429: Too Many Requests');
  assert.ok(describeHttpStatus(500, 'x'.repeat(5_000)).length < 320);
});

test('the write URL keeps a proxy path and encodes org and bucket', () => {
  const url = writeUrl({ serverUrl: 'http://proxy:8086/influx', org: 'a b', bucket: 'c&d', token: 't' });
  assert.equal(url.toString(), 'http://proxy:8086/influx/api/v2/write?org=a+b&bucket=c%26d&precision=ns');
});

test('a refused connection on the seed default port 9999 names 8086; other ports get no hint', () => {
  assert.match(refusedPortHint('http://localhost:9999'), /InfluxDB 2 listens on 8086/);
  assert.equal(refusedPortHint('http://localhost:8086'), '');
  assert.equal(refusedPortHint('https://influx.example'), '');
});
