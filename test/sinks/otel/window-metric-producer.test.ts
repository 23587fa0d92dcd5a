import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AggregationTemporality, DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import { dateToHrTime, WindowMetricProducer } from '../../../src/sinks/otel/window-metric-producer.js';
import { windowReport } from '../../support/reports.js';

async function collectMetrics(producer: WindowMetricProducer): Promise<Map<string, MetricData>> {
  const { resourceMetrics, errors } = await producer.collect();
  assert.deepEqual(errors, []);
  const byName = new Map<string, MetricData>();
  for (const scope of resourceMetrics.scopeMetrics) for (const m of scope.metrics) byName.set(m.descriptor.name, m);
  return byName;
}

test('Date to HrTime is exact to the millisecond, also before and after the epoch second boundary', () => {
  assert.deepEqual(dateToHrTime(new Date(1_700_000_000_123)), [1_700_000_000, 123_000_000]);
  assert.deepEqual(dateToHrTime(new Date(0)), [0, 0]);
  assert.deepEqual(dateToHrTime(new Date(-1)), [-1, 999_000_000]);
});

test('each window becomes one point per instrument carrying the window start and end, in past time (delta)', async () => {
  const producer = new WindowMetricProducer({ temporality: 'delta' });
  const t0 = Date.UTC(2020, 0, 1); // replay: ends lie far in the past
  producer.enqueue(windowReport({ startMs: t0, lengthMs: 5000, serverEntropy: 1.25, clientEntropy: 0.5, serverSyns: 8, clientSyns: 1, frames: 30, malformed: 2, dropped: 4 }));
  producer.enqueue(windowReport({ startMs: t0 + 5000, lengthMs: 5000, serverEntropy: 0.75, serverSyns: 3, frames: 12 }));
  const metrics = await collectMetrics(producer);
  assert.equal(producer.lastBatchSize, 2);

  const serverEntropy = metrics.get('peng.server.entropy');
  assert.equal(serverEntropy?.dataPointType, DataPointType.GAUGE);
  assert.deepEqual(
    serverEntropy?.dataPoints.map((p) => [p.startTime, p.endTime, p.value, p.attributes]),
    [
      [dateToHrTime(new Date(t0)), dateToHrTime(new Date(t0 + 5000)), 1.25, { 'network.interface.name': 'eth0' }],
      [dateToHrTime(new Date(t0 + 5000)), dateToHrTime(new Date(t0 + 10_000)), 0.75, { 'network.interface.name': 'eth0' }],
    ],
  );
  const frames = metrics.get('peng.capture.frames');
  assert.ok(frames?.dataPointType === DataPointType.SUM);
  assert.equal(frames.aggregationTemporality, AggregationTemporality.DELTA);
  assert.equal(frames.isMonotonic, true);
  assert.deepEqual(frames.dataPoints.map((p) => [p.startTime[0], p.value]), [[t0 / 1000, 30], [t0 / 1000 + 5, 12]]);
  // Only the first window could tell drops.
  assert.deepEqual(metrics.get('peng.capture.dropped')?.dataPoints.map((p) => p.value), [4]);
});

test('collect drains: a window is handed out once; an empty queue yields no scope', async () => {
  const producer = new WindowMetricProducer();
  producer.enqueue(windowReport({ startMs: 0, serverSyns: 1 }));
  assert.equal(producer.queuedWindows, 1);
  assert.equal((await collectMetrics(producer)).get('peng.server.syn_packets')?.dataPoints.length, 1);
  assert.equal(producer.queuedWindows, 0);
  const { resourceMetrics } = await producer.collect();
  assert.deepEqual(resourceMetrics.scopeMetrics, []);
});

test('restoreLastBatch puts a failed batch back before newer windows, in order', async () => {
  const producer = new WindowMetricProducer({ temporality: 'delta' });
  producer.enqueue(windowReport({ startMs: 0, serverSyns: 1 }));
  producer.enqueue(windowReport({ startMs: 10_000, serverSyns: 2 }));
  await producer.collect();
  producer.enqueue(windowReport({ startMs: 20_000, serverSyns: 3 }));
  producer.restoreLastBatch();
  assert.equal(producer.queuedWindows, 3);
  const points = (await collectMetrics(producer)).get('peng.server.syn_packets')?.dataPoints ?? [];
  assert.deepEqual(points.map((p) => p.value), [1, 2, 3]);
});

test('the queue is bounded: the oldest windows are dropped and counted', async () => {
  const producer = new WindowMetricProducer({ maxQueuedWindows: 3, temporality: 'delta' });
  for (let i = 0; i < 5; i++) producer.enqueue(windowReport({ startMs: i * 10_000, serverSyns: i }));
  assert.equal(producer.queuedWindows, 3);
  assert.equal(producer.droppedWindows, 2);
  const points = (await collectMetrics(producer)).get('peng.server.syn_packets')?.dataPoints ?? [];
  assert.deepEqual(points.map((p) => p.value), [2, 3, 4]);
  assert.throws(() => new WindowMetricProducer({ maxQueuedWindows: 0 }), /positive integer/);
});

test('cumulative temporality: counters carry running totals from the interface first window start', async () => {
  const producer = new WindowMetricProducer({ temporality: 'cumulative' });
  producer.enqueue(windowReport({ interface: 'eth0', startMs: 60_000, frames: 10 }));
  producer.enqueue(windowReport({ interface: 'eth1', startMs: 70_000, frames: 1 }));
  producer.enqueue(windowReport({ interface: 'eth0', startMs: 70_000, frames: 5, serverEntropy: 2 }));
  const metrics = await collectMetrics(producer);
  const frames = metrics.get('peng.capture.frames');
  assert.ok(frames?.dataPointType === DataPointType.SUM);
  assert.equal(frames.aggregationTemporality, AggregationTemporality.CUMULATIVE);
  assert.deepEqual(
    frames.dataPoints.map((p) => [p.attributes['network.interface.name'], p.startTime[0], p.endTime[0], p.value]),
    [['eth0', 60, 70, 10], ['eth1', 70, 80, 1], ['eth0', 60, 80, 15]],
  );
  // Gauges keep the window's own start either way.
  assert.deepEqual(metrics.get('peng.server.entropy')?.dataPoints.at(-1)?.startTime, [70, 0]);
});
