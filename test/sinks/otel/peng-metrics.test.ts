import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AggregationTemporality,
  DataPointType,
  MeterProvider,
  MetricReader,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { PengMetrics } from '../../../src/sinks/otel/peng-metrics.js';
import { PENG_INSTRUMENTS } from '../../../src/sinks/otel/instruments.js';
import { windowReport } from '../../support/reports.js';

/** A reader with no exporter and no timer: the test calls collect() itself (host-metrics style). */
class TestMetricReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

function setup(temporality = AggregationTemporality.CUMULATIVE) {
  const reader = new TestMetricReader({ aggregationTemporalitySelector: () => temporality });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const pengMetrics = new PengMetrics({ meterProvider, name: 'test-peng' });
  return { reader, meterProvider, pengMetrics };
}

function findMetric(resourceMetrics: ResourceMetrics, name: string): MetricData | undefined {
  for (const scope of resourceMetrics.scopeMetrics) {
    const metric = scope.metrics.find((m) => m.descriptor.name === name);
    if (metric) return metric;
  }
  return undefined;
}

function pointValue(resourceMetrics: ResourceMetrics, name: string, iface: string): number | undefined {
  const metric = findMetric(resourceMetrics, name);
  const point = metric?.dataPoints.find((p) => p.attributes['network.interface.name'] === iface);
  return point?.value as number | undefined;
}

test('start() creates every instrument in the instrument table with its kind and unit under the given meter name', async () => {
  const { reader, meterProvider, pengMetrics } = setup();
  pengMetrics.start();
  const report = windowReport({ startMs: 0, serverEntropy: 1.5, clientEntropy: 0.25, serverSyns: 7, clientSyns: 2, frames: 40, malformed: 1, dropped: 3, serverProbes: { xmas: 2 } });
  report.scanners = { server: 1, client: 0 };
  pengMetrics.update(report, { influxdbDroppedLines: 4, otlpExportedWindows: 2, otlpFailedExports: 1, otlpDroppedWindows: 0 });
  const { resourceMetrics, errors } = await reader.collect();
  assert.deepEqual(errors, []);
  assert.equal(resourceMetrics.scopeMetrics.length, 1);
  assert.equal(resourceMetrics.scopeMetrics[0].scope.name, 'test-peng');
  const expected: Record<string, [DataPointType, string]> = {
    'peng.server.entropy': [DataPointType.GAUGE, '{entropy}'],
    'peng.client.entropy': [DataPointType.GAUGE, '{entropy}'],
    'peng.server.syn_packets': [DataPointType.SUM, '{packet}'],
    'peng.client.syn_packets': [DataPointType.SUM, '{packet}'],
    'peng.capture.frames': [DataPointType.SUM, '{packet}'],
    'peng.capture.malformed': [DataPointType.SUM, '{packet}'],
    'peng.capture.dropped': [DataPointType.SUM, '{packet}'],
    'peng.influxdb.dropped_lines': [DataPointType.SUM, '{line}'],
    'peng.server.scanners': [DataPointType.GAUGE, '{scanner}'],
    'peng.client.scanners': [DataPointType.GAUGE, '{scanner}'],
    'peng.server.probes': [DataPointType.SUM, '{packet}'],
    'peng.client.probes': [DataPointType.SUM, '{packet}'],
    'peng.otlp.exported_windows': [DataPointType.SUM, '{window}'],
    'peng.otlp.failed_exports': [DataPointType.SUM, '{request}'],
    'peng.otlp.dropped_windows': [DataPointType.SUM, '{window}'],
    'peng.window.last_end_seconds': [DataPointType.GAUGE, 's'],
    'peng.build.info': [DataPointType.GAUGE, ''],
  };
  assert.deepEqual(resourceMetrics.scopeMetrics[0].metrics.map((m) => m.descriptor.name).sort(), Object.keys(expected).sort());
  for (const [name, [type, unit]] of Object.entries(expected)) {
    const metric = findMetric(resourceMetrics, name);
    assert.equal(metric?.dataPointType, type, name);
    assert.equal(metric?.descriptor.unit, unit, name);
    if (metric?.dataPointType === DataPointType.SUM) assert.equal(metric.isMonotonic, true, name);
  }
  assert.equal(new Set(PENG_INSTRUMENTS.map((i) => i.name)).size, Object.keys(expected).length);
  const xmas = findMetric(resourceMetrics, 'peng.server.probes')?.dataPoints.find((p) => p.attributes['peng.probe.kind'] === 'xmas');
  assert.equal(xmas?.value, 2, 'probes carry their kind as an attribute');
  await meterProvider.shutdown();
});

test('gauges show the last window, counters the total over windows, per interface', async () => {
  const { reader, meterProvider, pengMetrics } = setup();
  pengMetrics.start();
  pengMetrics.update(windowReport({ interface: 'eth0', startMs: 0, serverEntropy: 0.5, serverSyns: 10, frames: 100, malformed: 2 }));
  pengMetrics.update(windowReport({ interface: 'eth0', startMs: 10_000, serverEntropy: 1.75, serverSyns: 4, frames: 50, malformed: 1 }));
  pengMetrics.update(windowReport({ interface: 'wlan 0', startMs: 0, clientEntropy: 0.125, clientSyns: 3, frames: 9 }));
  const { resourceMetrics } = await reader.collect();
  assert.equal(pointValue(resourceMetrics, 'peng.server.entropy', 'eth0'), 1.75);
  assert.equal(pointValue(resourceMetrics, 'peng.server.syn_packets', 'eth0'), 14);
  assert.equal(pointValue(resourceMetrics, 'peng.capture.frames', 'eth0'), 150);
  assert.equal(pointValue(resourceMetrics, 'peng.capture.malformed', 'eth0'), 3);
  assert.equal(pointValue(resourceMetrics, 'peng.client.entropy', 'wlan 0'), 0.125);
  assert.equal(pointValue(resourceMetrics, 'peng.client.syn_packets', 'wlan 0'), 3);
  assert.equal(pointValue(resourceMetrics, 'peng.capture.frames', 'wlan 0'), 9);
  // Neither window could tell drops: no dropped series rather than a made-up zero.
  assert.equal(findMetric(resourceMetrics, 'peng.capture.dropped'), undefined);
  await meterProvider.shutdown();
});

test('a removed interface is no longer observed (delta reader)', async () => {
  const { reader, meterProvider, pengMetrics } = setup(AggregationTemporality.DELTA);
  pengMetrics.start();
  pengMetrics.update(windowReport({ interface: 'eth0', startMs: 0, serverEntropy: 1 }));
  pengMetrics.update(windowReport({ interface: 'eth1', startMs: 0, serverEntropy: 2 }));
  let { resourceMetrics } = await reader.collect();
  assert.equal(pointValue(resourceMetrics, 'peng.server.entropy', 'eth1'), 2);
  pengMetrics.remove('eth1');
  assert.deepEqual(pengMetrics.interfaceNames, ['eth0']);
  ({ resourceMetrics } = await reader.collect());
  assert.equal(pointValue(resourceMetrics, 'peng.server.entropy', 'eth0'), 1);
  assert.equal(pointValue(resourceMetrics, 'peng.server.entropy', 'eth1'), undefined);
  await meterProvider.shutdown();
});

test('stop() removes the callback: later windows are not observed; start() twice registers once', async () => {
  const { reader, meterProvider, pengMetrics } = setup(AggregationTemporality.DELTA);
  pengMetrics.start();
  pengMetrics.start();
  pengMetrics.update(windowReport({ startMs: 0, serverSyns: 5 }));
  let { resourceMetrics } = await reader.collect();
  const points = findMetric(resourceMetrics, 'peng.server.syn_packets')?.dataPoints ?? [];
  assert.equal(points.length, 1, 'one callback, one point');
  pengMetrics.stop();
  pengMetrics.update(windowReport({ startMs: 10_000, serverSyns: 6 }));
  ({ resourceMetrics } = await reader.collect());
  assert.equal(pointValue(resourceMetrics, 'peng.server.syn_packets', 'eth0'), undefined);
  await meterProvider.shutdown();
});

test('non-finite or negative values are skipped, never observed', async () => {
  const { reader, meterProvider, pengMetrics } = setup();
  pengMetrics.start();
  pengMetrics.update(windowReport({ startMs: 0, serverEntropy: Number.NaN, frames: -1, malformed: 2 }));
  const { resourceMetrics } = await reader.collect();
  assert.equal(pointValue(resourceMetrics, 'peng.server.entropy', 'eth0'), undefined);
  assert.equal(pointValue(resourceMetrics, 'peng.capture.frames', 'eth0'), undefined);
  assert.equal(pointValue(resourceMetrics, 'peng.capture.malformed', 'eth0'), 2);
  await meterProvider.shutdown();
});
