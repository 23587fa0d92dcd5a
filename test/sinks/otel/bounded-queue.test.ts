import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedQueue } from '../../../src/sinks/otel/bounded-queue.js';
import { WindowMetricProducer } from '../../../src/sinks/otel/window-metric-producer.js';
import { windowReport } from '../../support/reports.js';

test('the ring keeps order across wrap-around, drops the oldest when full, and takes from the front', () => {
  const q = new BoundedQueue<number>(3);
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => q.push(n)), [0, 0, 0, 1, 1]);
  assert.equal(q.length, 3);
  assert.deepEqual(q.take(2), [3, 4]);
  q.push(6);
  assert.deepEqual(q.take(10), [5, 6]);
  assert.equal(q.length, 0);
  assert.throws(() => new BoundedQueue(0), /positive integer/);
});

test('unshift puts items back in front, in order; the oldest that do not fit are dropped and counted', () => {
  const q = new BoundedQueue<number>(4);
  for (const n of [1, 2, 3, 4]) q.push(n);
  const batch = q.take(3);
  q.push(5);
  q.push(6);
  assert.equal(q.unshift(batch), 2, 'room for the newest one of the three');
  assert.deepEqual(q.take(4), [3, 4, 5, 6]);
});

test('a collection hands out at most maxBatchWindows, the oldest first', async () => {
  const producer = new WindowMetricProducer({ maxQueuedWindows: 10, maxBatchWindows: 4, temporality: 'delta' });
  for (let i = 0; i < 10; i++) producer.enqueue(windowReport({ startMs: i * 10_000, serverSyns: i }));
  const values: number[][] = [];
  while (producer.queuedWindows > 0) {
    const { resourceMetrics } = await producer.collect();
    const syns = resourceMetrics.scopeMetrics[0].metrics.find((m) => m.descriptor.name === 'peng.server.syn_packets');
    values.push((syns?.dataPoints ?? []).map((p) => p.value as number));
  }
  assert.deepEqual(values, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
});
