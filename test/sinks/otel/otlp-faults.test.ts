import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOtlpSink, MAX_BATCH_WINDOWS, MAX_REQUEST_BYTES, type OtlpSinkOptions } from '../../../src/sinks/otel/otlp-sink.js';
import { startEarlyResetServer, startTricklingServer } from './fault-servers.js';
import { OtlpReceiver } from './otlp-receiver.js';
import { nanos, windowReport } from '../../support/reports.js';

const FRAME = 60_000;
const T0 = Date.UTC(2021, 5, 1, 12, 0, 0);

function sinkTo(endpoint: string, logs: string[], extra: Partial<OtlpSinkOptions> = {}) {
  // Delta: each window's SYN count is its own point value, which names the window in the checks below.
  return createOtlpSink({ endpoint, timeFrameMs: FRAME, env: { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta' }, log: (m) => logs.push(m), ...extra });
}

function writeWindows(sink: { write(r: ReturnType<typeof windowReport>): void }, from: number, count: number): void {
  for (let i = from; i < from + count; i++) sink.write(windowReport({ startMs: T0 + i * FRAME, lengthMs: FRAME, serverSyns: i }));
}

test('a collector that trickles its answer: each export ends at its deadline, the stall is said once, close() is bounded', { timeout: 30_000 }, async () => {
  const server = await startTricklingServer();
  const logs: string[] = [];
  try {
    const sink = sinkTo(server.endpoint, logs, { timeoutMillis: 1000 });
    for (let i = 0; i < 3; i++) {
      writeWindows(sink, i, 1);
      await sink.flush(); // resolves: the request in flight is bounded by its own deadline
    }
    assert.equal(server.requests, 3, 'each window got its own attempt');
    const stalls = logs.filter((l) => /failed: no complete exchange within 1000 ms \(the answer \(200\) was incomplete/.test(l));
    assert.equal(stalls.length, 1, logs.join('\n'));
    assert.deepEqual(sink.stats(), { exportedWindows: 0, failedExports: 3, droppedWindows: 0, queuedWindows: 3 });

    const closing = Date.now();
    await sink.close();
    const closeMs = Date.now() - closing;
    assert.ok(closeMs < 3000 + 1000, `close() ended after ${closeMs} ms, within its 3 s bound`);
    assert.equal(logs.filter((l) => /not delivered/.test(l)).length, 1, logs.join('\n'));
    assert.match(logs.at(-1) ?? '', /^OTLP: 3 window\(s\) not delivered to .*: 3 still queued at exit/);
    assert.equal(sink.lost?.(), 3);
  } finally {
    await server.stop();
  }
});

test('close() cuts a trickled request short at its own deadline, whatever the per-request timeout', { timeout: 30_000 }, async () => {
  const server = await startTricklingServer();
  const logs: string[] = [];
  try {
    const sink = sinkTo(server.endpoint, logs, { timeoutMillis: 60_000, maxCloseMillis: 1500 });
    writeWindows(sink, 0, 5);
    while (server.requests === 0) await new Promise((r) => setTimeout(r, 20));
    const closing = Date.now();
    await sink.close();
    const closeMs = Date.now() - closing;
    assert.ok(closeMs < 1500 + 1000, `close() ended after ${closeMs} ms, bound 1.5 s`);
    assert.match(logs.at(-1) ?? '', /^OTLP: 5 window\(s\) not delivered to .*: 5 still queued at exit \(gave up after 1500 ms\)$/);
  } finally {
    await server.stop();
  }
});

test('a peer that answers 200 at once and resets while ~1 MB bodies upload: no crash, nothing counted as delivered', { timeout: 30_000 }, async () => {
  const server = await startEarlyResetServer();
  const logs: string[] = [];
  try {
    const sink = sinkTo(server.endpoint, logs, { timeoutMillis: 2000, maxQueuedWindows: 10_000 });
    writeWindows(sink, 0, 3 * MAX_BATCH_WINDOWS);
    await sink.flush();
    writeWindows(sink, 3 * MAX_BATCH_WINDOWS, 1);
    await sink.flush();
    assert.ok(server.requests >= 2, 'the peer was asked at least twice');
    const stats = sink.stats();
    assert.equal(stats.exportedWindows, 0, 'an answer to an unread body is not a delivery');
    assert.equal(stats.queuedWindows, 3 * MAX_BATCH_WINDOWS + 1);
    assert.equal(logs.length, 1, logs.join('\n'));
    assert.match(logs[0], /failed: .*(ECONNRESET|EPIPE|before taking the whole request)/);
    await sink.close();
    assert.match(logs.at(-1) ?? '', new RegExp(`^OTLP: ${3 * MAX_BATCH_WINDOWS + 1} window\\(s\\) not delivered`));
  } finally {
    await server.stop();
  }
});

test('30 000 windows at replay speed: requests of at most MAX_BATCH_WINDOWS windows and 4 MiB, each window received once', { timeout: 60_000 }, async () => {
  const receiver = new OtlpReceiver();
  await receiver.start();
  receiver.maxBodyBytes = 20 * 1024 * 1024; // the Collector's default limit
  const logs: string[] = [];
  try {
    const count = 30_000;
    const sink = sinkTo(receiver.endpoint, logs, { maxQueuedWindows: 100_000, maxCloseMillis: 30_000 });
    for (let i = 0; i < count; i += 500) {
      writeWindows(sink, i, 500);
      await new Promise((r) => setImmediate(r)); // a replay yields between file chunks
    }
    await sink.close();
    assert.deepEqual(logs, []);
    assert.equal(receiver.tooLarge, 0);
    const largest = Math.max(...receiver.requests.map((r) => r.bytes));
    assert.ok(largest <= MAX_REQUEST_BYTES, `largest request ${largest} bytes`);
    const syns = receiver.points().filter((p) => p.metric === 'peng.server.syn_packets');
    const perRequest = new Map<number, number>();
    for (const p of syns) perRequest.set(p.request, (perRequest.get(p.request) ?? 0) + 1);
    assert.ok(Math.max(...perRequest.values()) <= MAX_BATCH_WINDOWS);
    assert.equal(syns.length, count);
    assert.deepEqual(syns.map((p) => p.value), Array.from({ length: count }, (_, i) => i), 'every window once, in order');
    assert.deepEqual(sink.stats(), { exportedWindows: count, failedExports: 0, droppedWindows: 0, queuedWindows: 0 });
  } finally {
    await receiver.stop();
  }
});

test('collector down, then up: the backlog goes in bounded batches, each window exactly once', { timeout: 60_000 }, async () => {
  const receiver = new OtlpReceiver();
  await receiver.start();
  const port = receiver.port;
  await receiver.stop();
  const logs: string[] = [];
  const sink = sinkTo(`http://127.0.0.1:${port}`, logs, { maxQueuedWindows: 10_000 });
  try {
    writeWindows(sink, 0, 2500);
    await sink.flush();
    assert.equal(sink.stats().queuedWindows, 2500);
    await receiver.start(port);
    writeWindows(sink, 2500, 1);
    await sink.flush();
    await sink.close();
    const syns = receiver.points().filter((p) => p.metric === 'peng.server.syn_packets');
    assert.deepEqual(syns.map((p) => p.time), Array.from({ length: 2501 }, (_, i) => nanos(T0 + (i + 1) * FRAME)));
    assert.equal(receiver.requests.length, Math.ceil(2501 / MAX_BATCH_WINDOWS), 'ceil(2501 / MAX_BATCH_WINDOWS) requests');
    assert.equal(logs.length, 2, logs.join('\n'));
    assert.match(logs[1], /works again/);
    assert.deepEqual(sink.stats(), { exportedWindows: 2501, failedExports: 1, droppedWindows: 0, queuedWindows: 0 });
  } finally {
    await sink.close();
    await receiver.stop();
  }
});
