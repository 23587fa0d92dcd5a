import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { createOtlpSink, type OtlpSinkOptions } from '../../../src/sinks/otel/otlp-sink.js';
import { OtlpReceiver, type ReceivedPoint } from './otlp-receiver.js';
import { nanos, windowReport, type WindowSpec } from '../../support/reports.js';

const FRAME = 10_000;
const T0 = Date.UTC(2021, 5, 1, 12, 0, 0); // replay: window ends lie years in the past

const INSTRUMENTS: Record<string, (w: WindowSpec) => number | undefined> = {
  'peng.server.entropy': (w) => w.serverEntropy,
  'peng.client.entropy': (w) => w.clientEntropy,
  'peng.server.syn_packets': (w) => w.serverSyns,
  'peng.client.syn_packets': (w) => w.clientSyns,
  'peng.capture.frames': (w) => w.frames,
  'peng.capture.malformed': (w) => w.malformed,
  'peng.capture.dropped': (w) => w.dropped,
};

/** Sums: with the default cumulative temporality a point holds the total since the interface's first window. */
const SUMS = new Set(['peng.server.syn_packets', 'peng.client.syn_packets', 'peng.capture.frames', 'peng.capture.malformed', 'peng.capture.dropped']);

/** What the receiver should hold for one instrument: [interface, start, end, value] per window, cumulative sums. */
function expected(metric: string, windows: Array<WindowSpec & { startMs: number }>, temporality: 'cumulative' | 'delta' = 'cumulative'): unknown[][] {
  const read = INSTRUMENTS[metric]!;
  let total = 0;
  return windows.map((w) => {
    const value = read(w) ?? 0;
    total += value;
    const cumulative = SUMS.has(metric) && temporality === 'cumulative';
    return [w.interface, nanos(cumulative ? windows[0]!.startMs : w.startMs), nanos(w.startMs + (w.lengthMs ?? FRAME)), cumulative ? total : value];
  });
}

/** The seed's and the capture's points; probes by kind and scanners are checked by a test of their own. */
function seedPoints(receiver: OtlpReceiver): ReceivedPoint[] {
  return receiver.points().filter((p) => p.metric in INSTRUMENTS);
}

function replayWindows(count: number, iface = 'eth0'): Array<WindowSpec & { startMs: number }> {
  return Array.from({ length: count }, (_, i) => ({
    interface: iface,
    startMs: T0 + i * FRAME,
    lengthMs: FRAME,
    serverEntropy: 0.125 * i + 0.0625,
    clientEntropy: 2 - 0.25 * i,
    serverSyns: 100 + i,
    clientSyns: 3 * i,
    frames: 1000 + 7 * i,
    malformed: i,
    dropped: 2 * i,
  }));
}

function sinkFor(receiverOrEndpoint: OtlpReceiver | string, logs: string[], extra: Partial<OtlpSinkOptions> = {}) {
  const endpoint = typeof receiverOrEndpoint === 'string' ? receiverOrEndpoint : receiverOrEndpoint.endpoint;
  return createOtlpSink({ endpoint, timeFrameMs: FRAME, env: {}, log: (m) => logs.push(m), timeoutMillis: 300, ...extra });
}

function keyOf(p: ReceivedPoint): string {
  return `${p.metric}|${p.iface}|${p.start}|${p.time}`;
}

test('five replay windows: one point per window per instrument, exact values and window times, nothing twice', async () => {
  const receiver = new OtlpReceiver();
  await receiver.start();
  const logs: string[] = [];
  try {
    const sink = sinkFor(receiver, logs);
    const windows = replayWindows(5);
    for (const w of windows) sink.write(windowReport(w)); // far faster than real time
    await sink.close();

    const points = seedPoints(receiver);
    assert.equal(points.length, windows.length * Object.keys(INSTRUMENTS).length);
    assert.equal(new Set(points.map(keyOf)).size, points.length, 'no point duplicated');
    for (const metric of Object.keys(INSTRUMENTS)) {
      const got = points.filter((p) => p.metric === metric).map((p) => [p.iface, p.start, p.time, p.value]);
      assert.deepEqual(got, expected(metric, windows), metric);
    }
    const first = points[0];
    assert.equal(first.scope, 'peng');
    assert.equal(first.resource['service.name'], 'peng');
    assert.match(first.resource['service.version'], /^\d+\.\d+\.\d+/);
    assert.match(first.resource['service.instance.id'], /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(first.resource['host.name'], hostname());
    assert.ok(first.resource['host.id'], 'host.id from the machine id');
    assert.equal(points.find((p) => p.metric === 'peng.server.entropy')?.unit, '{entropy}');
    assert.equal(points.find((p) => p.metric === 'peng.capture.frames')?.unit, '{packet}');
    assert.equal(points.find((p) => p.metric === 'peng.capture.frames')?.kind, 'sum');
    assert.equal(points.find((p) => p.metric === 'peng.capture.frames')?.temporality, 2, 'cumulative');
    assert.equal(points.find((p) => p.metric === 'peng.server.syn_packets')?.kind, 'sum');
    assert.equal(receiver.requests[0].url, '/v1/metrics');
    assert.equal(receiver.requests[0].protocol, 'http/protobuf', 'the spec default');
    assert.match(String(receiver.requests[0].headers['content-type']), /application\/x-protobuf/);
    assert.deepEqual(sink.stats(), { exportedWindows: 5, failedExports: 0, droppedWindows: 0, queuedWindows: 0 });
    assert.deepEqual(logs, []);
  } finally {
    await receiver.stop();
  }
});

test('cadence follows windows: each window is its own request, sent when it is written', async () => {
  const receiver = new OtlpReceiver();
  await receiver.start();
  const logs: string[] = [];
  try {
    const sink = sinkFor(receiver, logs);
    const windows = replayWindows(5);
    for (const [i, w] of windows.entries()) {
      sink.write(windowReport(w));
      await sink.flush();
      assert.equal(receiver.requests.length, i + 1, `window ${i} exported right away, no timer in between`);
      const latest = seedPoints(receiver).filter((p) => p.request === i);
      assert.deepEqual([...new Set(latest.map((p) => p.time))], [nanos(w.startMs + FRAME)], 'only this window, complete');
      assert.equal(latest.length, Object.keys(INSTRUMENTS).length);
    }
    await sink.close();
    assert.equal(receiver.requests.length, 5, 'close sends nothing already sent');
  } finally {
    await receiver.stop();
  }
});

test('an interface no longer reported does not linger in later exports', async () => {
  const receiver = new OtlpReceiver();
  await receiver.start();
  const logs: string[] = [];
  try {
    const sink = sinkFor(receiver, logs);
    sink.write(windowReport({ interface: 'eth0', startMs: T0, serverEntropy: 1 }));
    sink.write(windowReport({ interface: 'eth1', startMs: T0, serverEntropy: 2 }));
    await sink.flush();
    const before = receiver.requests.length;
    sink.write(windowReport({ interface: 'eth0', startMs: T0 + FRAME, serverEntropy: 1.5 }));
    await sink.close();
    const later = seedPoints(receiver).filter((p) => p.request >= before);
    assert.ok(later.length > 0);
    assert.deepEqual([...new Set(later.map((p) => p.iface))], ['eth0']);
    assert.deepEqual(
      receiver.points().filter((p) => p.metric === 'peng.server.entropy').map((p) => [p.iface, p.value]),
      [['eth0', 1], ['eth1', 2], ['eth0', 1.5]],
    );
  } finally {
    await receiver.stop();
  }
});

test('OTEL_EXPORTER_OTLP_HEADERS, ..._METRICS_HEADERS and explicit headers reach the collector', async () => {
  const receiver = new OtlpReceiver();
  await receiver.start();
  try {
    const env = { OTEL_EXPORTER_OTLP_HEADERS: 'x-peng-tenant=lab%20one,authorization=Bearer abc', OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'authorization=Bearer metrics' };
    const sink = sinkFor(receiver, [], { headers: { 'x-peng-extra': 'yes' }, env });
    sink.write(windowReport({ startMs: T0 }));
    await sink.close();
    const headers = receiver.requests[0].headers;
    assert.equal(headers['x-peng-tenant'], 'lab one');
    assert.equal(headers['authorization'], 'Bearer metrics', 'the signal-specific variable wins');
    assert.equal(headers['x-peng-extra'], 'yes');
  } finally {
    await receiver.stop();
  }
});

test('collector down: no crash, one log line per outage, backlog delivered once when it is back', async () => {
  const receiver = new OtlpReceiver();
  await receiver.start();
  const port = receiver.port;
  await receiver.stop(); // the port is now closed: connections are refused
  const logs: string[] = [];
  const sink = sinkFor(`http://127.0.0.1:${port}`, logs);
  try {
    const windows = replayWindows(4);
    for (const w of windows.slice(0, 3)) {
      sink.write(windowReport(w));
      await sink.flush();
    }
    assert.equal(logs.filter((l) => /failed/.test(l)).length, 1, logs.join('\n'));
    assert.match(logs[0], /OTLP export to http:\/\/127\.0\.0\.1:\d+\/v1\/metrics \(http\/protobuf\) failed: .*ECONNREFUSED/);
    const down = sink.stats();
    assert.equal(down.exportedWindows, 0);
    assert.equal(down.failedExports, 3);
    assert.equal(down.queuedWindows, 3);

    await receiver.start(port);
    sink.write(windowReport(windows[3]));
    await sink.flush();
    assert.match(logs.at(-1) ?? '', /works again; 1 window\(s\) delivered/, 'the batch that failed goes first, as it was');
    await sink.close();
    const points = seedPoints(receiver);
    assert.equal(new Set(points.map(keyOf)).size, points.length, 'no point duplicated');
    assert.deepEqual(
      points.filter((p) => p.metric === 'peng.server.syn_packets').map((p) => [p.iface, p.start, p.time, p.value]),
      expected('peng.server.syn_packets', windows),
    );
    assert.deepEqual(sink.stats(), { exportedWindows: 4, failedExports: 3, droppedWindows: 0, queuedWindows: 0 });
  } finally {
    await sink.close();
    await receiver.stop();
  }
});

test('close() with the collector still down resolves, says what was not delivered, and later writes are counted', async () => {
  const receiver = new OtlpReceiver();
  await receiver.start();
  const port = receiver.port;
  await receiver.stop();
  const logs: string[] = [];
  const sink = sinkFor(`http://127.0.0.1:${port}`, logs, { maxQueuedWindows: 2 });
  for (const w of replayWindows(3)) sink.write(windowReport(w));
  await sink.close();
  assert.equal(logs.filter((l) => /failed/.test(l)).length, 1, logs.join('\n'));
  assert.equal(logs.filter((l) => /backlog .* is full/.test(l)).length, 1, 'the first drop is said while it happens');
  assert.equal(logs.filter((l) => /not delivered/.test(l)).length, 1, 'one summary at close');
  assert.match(logs.at(-1) ?? '', /^OTLP: 3 window\(s\) not delivered to .*: 2 still queued at exit \(connect ECONNREFUSED.*\), 1 dropped because more than 2 waited$/);
  sink.write(windowReport({ startMs: T0 }));
  const stats = sink.stats();
  assert.equal(stats.exportedWindows, 0);
  assert.equal(stats.droppedWindows, 4, 'one over the backlog bound, two undelivered at close, one after close');
});

test('a collector that rejects the data: windows dropped and counted, logged once, not resent', async () => {
  const receiver = new OtlpReceiver();
  await receiver.start();
  receiver.status = 400;
  const logs: string[] = [];
  try {
    const sink = sinkFor(receiver, logs);
    for (const w of replayWindows(2)) {
      sink.write(windowReport(w));
      await sink.flush();
    }
    await sink.close();
    assert.equal(logs.length, 2, logs.join('\n'));
    assert.match(logs[0], /rejected, 1 window\(s\) dropped: .*400.*rejected by test receiver/);
    assert.match(logs[1], /^OTLP: 2 window\(s\) not delivered to .*: 2 rejected by the collector$/);
    assert.deepEqual(sink.stats(), { exportedWindows: 0, failedExports: 2, droppedWindows: 2, queuedWindows: 0 });
  } finally {
    await receiver.stop();
  }
});

test('a bad time frame or endpoint is a configuration error, before anything is sent', () => {
  assert.throws(() => createOtlpSink({ timeFrameMs: 0, env: {} }), /positive time frame/);
  assert.throws(() => createOtlpSink({ endpoint: 'nope', timeFrameMs: FRAME, env: {} }), /is not a URL/);
});

test('probes by kind and active scanners: one point per kind and direction, the kind as attribute, scanners as gauges', async () => {
  const receiver = new OtlpReceiver();
  await receiver.start();
  const logs: string[] = [];
  try {
    const sink = sinkFor(receiver, logs);
    const report = windowReport({ startMs: T0, lengthMs: FRAME, serverSyns: 40, serverProbes: { fin: 7, udp: 3, rst: 2 }, clientProbes: { icmpEcho: 5 } });
    report.scanners = { server: 2, client: 1 };
    sink.write(report);
    await sink.close();
    const points = receiver.points();
    const probes = (metric: string) => Object.fromEntries(points.filter((p) => p.metric === metric).map((p) => [p.attributes['peng.probe.kind'], p.value]));
    const server = probes('peng.server.probes');
    assert.equal(Object.keys(server).length, 11, 'every kind, zeros included');
    assert.deepEqual([server.syn, server.fin, server.udp, server.rst, server.null], [40, 7, 3, 2, 0]);
    assert.equal(probes('peng.client.probes').icmpEcho, 5);
    assert.equal(points.find((p) => p.metric === 'peng.server.probes')?.kind, 'sum');
    assert.equal(points.find((p) => p.metric === 'peng.server.scanners')?.value, 2);
    assert.equal(points.find((p) => p.metric === 'peng.client.scanners')?.value, 1);
    assert.equal(points.find((p) => p.metric === 'peng.client.scanners')?.unit, '{scanner}');
  } finally {
    await receiver.stop();
  }
});

test('a newly named scanner is one log record (event peng.scan.detected) at /v1/logs with its source, counts, kinds and times', async () => {
  const receiver = new OtlpReceiver();
  await receiver.start();
  const logs: string[] = [];
  try {
    const sink = sinkFor(receiver, logs);
    const scan = {
      source: '203.0.113.9', direction: 'server' as const, reason: 'vertical' as const, kinds: ['syn', 'fin'], probes: 120, ports: 100, hosts: 1,
      firstSeen: new Date(T0), lastSeen: new Date(T0 + 5_000), detectedAt: new Date(T0 + 2_000),
    };
    const first = windowReport({ startMs: T0, lengthMs: FRAME, serverSyns: 120 });
    Object.assign(first, { scans: [{ ...scan, new: true as const }], scansOmitted: 0, scansEnded: [], scanners: { server: 1, client: 0 } });
    const second = windowReport({ startMs: T0 + FRAME, lengthMs: FRAME, serverSyns: 3 });
    Object.assign(second, { scans: [scan], scansOmitted: 0, scansEnded: [], scanners: { server: 1, client: 0 } }); // still active, not new
    sink.write(first);
    sink.write(second);
    await sink.close();
    const events = receiver.requests.filter((r) => r.url === '/v1/logs');
    assert.equal(events.length, 1, 'one detection, one event, sent once');
    const body = events[0]!.body as unknown as { resourceLogs: { scopeLogs: { logRecords: { eventName: string; timeUnixNano: string; attributes: { key: string; value: Record<string, unknown> }[] }[] }[] }[] };
    const records = body.resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords));
    assert.equal(records.length, 1);
    assert.equal(records[0]!.eventName, 'peng.scan.detected');
    assert.equal(records[0]!.timeUnixNano, nanos(T0 + 2_000));
    const attrs = Object.fromEntries(records[0]!.attributes.map((a) => [a.key, Object.values(a.value)[0]]));
    assert.equal(attrs['source.address'], '203.0.113.9');
    assert.equal(Number(attrs['peng.scan.ports']), 100);
    assert.equal(attrs['peng.scan.direction'], 'server');
    assert.deepEqual(logs, []);
  } finally {
    await receiver.stop();
  }
});

for (const protocol of ['http/protobuf', 'grpc', 'http/json'] as const) {
  test(`${protocol}: every point and the scan event arrive the same way, by -otlpProtocol or OTEL_EXPORTER_OTLP_PROTOCOL`, async () => {
    for (const how of ['flag', 'env'] as const) {
      const receiver = new OtlpReceiver();
      if (protocol === 'grpc') await receiver.startGrpc();
      else await receiver.start();
      const logs: string[] = [];
      try {
        const sink = sinkFor(receiver, logs, how === 'flag' ? { protocol } : { env: { OTEL_EXPORTER_OTLP_PROTOCOL: protocol } });
        const windows = replayWindows(3);
        const reports = windows.map((w) => windowReport(w));
        Object.assign(reports[1]!, {
          scans: [{ source: '203.0.113.9', direction: 'server', reason: 'vertical', kinds: ['syn'], probes: 120, ports: 100, hosts: 1, firstSeen: new Date(T0), lastSeen: new Date(T0), detectedAt: new Date(T0), new: true }],
        });
        for (const r of reports) sink.write(r);
        await sink.close();
        assert.deepEqual(logs, []);
        assert.ok(receiver.requests.length >= 2);
        assert.ok(receiver.requests.every((r) => r.protocol === protocol), receiver.requests.map((r) => r.protocol).join());
        const points = seedPoints(receiver);
        for (const metric of Object.keys(INSTRUMENTS)) {
          assert.deepEqual(points.filter((p) => p.metric === metric).map((p) => [p.iface, p.start, p.time, p.value]), expected(metric, windows), `${protocol} ${metric}`);
        }
        const logsUrl = protocol === 'grpc' ? '/opentelemetry.proto.collector.logs.v1.LogsService/Export' : '/v1/logs';
        const events = receiver.requests.filter((r) => r.url === logsUrl);
        assert.equal(events.length, 1);
        const body = events[0]!.body as unknown as { resourceLogs: { scopeLogs: { logRecords: { eventName: string; attributes: { key: string; value: Record<string, unknown> }[] }[] }[] }[] };
        const record = body.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!;
        assert.equal(record.eventName, 'peng.scan.detected');
        assert.ok(record.attributes.some((a) => a.key === 'source.address' && a.value.stringValue === '203.0.113.9'));
        assert.deepEqual(sink.stats(), { exportedWindows: 3, failedExports: 0, droppedWindows: 0, queuedWindows: 0 });
      } finally {
        await receiver.stop();
      }
    }
  });
}

test('delta temporality (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta): sums carry each window as start and end', async () => {
  const receiver = new OtlpReceiver();
  await receiver.start();
  try {
    const sink = sinkFor(receiver, [], { env: { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta' } });
    const windows = replayWindows(3);
    for (const w of windows) sink.write(windowReport(w));
    await sink.close();
    const points = seedPoints(receiver);
    for (const metric of Object.keys(INSTRUMENTS)) {
      assert.deepEqual(points.filter((p) => p.metric === metric).map((p) => [p.iface, p.start, p.time, p.value]), expected(metric, windows, 'delta'), metric);
    }
    assert.equal(points.find((p) => p.metric === 'peng.server.syn_packets')?.temporality, 1);
  } finally {
    await receiver.stop();
  }
});

test('gRPC: a collector away is a failure kept for the next window, a rejection (INVALID_ARGUMENT) drops and counts', async () => {
  const receiver = new OtlpReceiver();
  await receiver.startGrpc();
  const port = receiver.port;
  await receiver.stop();
  const logs: string[] = [];
  const sink = sinkFor(`http://127.0.0.1:${port}`, logs, { protocol: 'grpc', timeoutMillis: 2000 });
  try {
    const windows = replayWindows(3);
    sink.write(windowReport(windows[0]!));
    await sink.flush();
    assert.match(logs[0] ?? '', /OTLP export to http:\/\/127\.0\.0\.1:\d+\/ \(grpc\) failed: gRPC UNAVAILABLE/);
    assert.equal(sink.stats().queuedWindows, 1);
    await receiver.startGrpc(port);
    sink.write(windowReport(windows[1]!));
    await sink.flush();
    assert.equal(sink.stats().exportedWindows, 2, logs.join('\n'));
    receiver.grpcStatus = 3; // INVALID_ARGUMENT
    sink.write(windowReport(windows[2]!));
    await sink.close();
    assert.ok(logs.some((l) => /rejected, 1 window\(s\) dropped: gRPC INVALID_ARGUMENT/.test(l)), logs.join('\n'));
    assert.deepEqual(sink.stats(), { exportedWindows: 2, failedExports: 2, droppedWindows: 1, queuedWindows: 0 });
  } finally {
    await sink.close();
    await receiver.stop();
  }
});

test('replay: the capture file is named by peng.capture.file, not network.interface.name, on points and events', async () => {
  const receiver = new OtlpReceiver();
  await receiver.start();
  try {
    const sink = sinkFor(receiver, [], { source: 'replay', instanceKey: 'replay:/captures/nmap.pcap' });
    const report = windowReport({ interface: 'nmap.pcap', startMs: T0 });
    Object.assign(report, { scans: [{ source: '203.0.113.9', direction: 'server', reason: 'vertical', kinds: ['syn'], probes: 1, ports: 100, hosts: 1, firstSeen: new Date(T0), lastSeen: new Date(T0), detectedAt: new Date(T0), new: true }] });
    sink.write(report);
    await sink.close();
    const points = receiver.points();
    assert.ok(points.length > 0);
    for (const p of points) {
      assert.equal(p.attributes['peng.capture.file'], 'nmap.pcap');
      assert.equal(p.attributes['network.interface.name'], undefined);
    }
    const events = receiver.requests.filter((r) => r.url === '/v1/logs');
    const body = events[0]!.body as unknown as { resourceLogs: { scopeLogs: { logRecords: { attributes: { key: string }[] }[] }[] }[] };
    const keys = body.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!.attributes.map((a) => a.key);
    assert.ok(keys.includes('peng.capture.file') && !keys.includes('network.interface.name'), keys.join());
  } finally {
    await receiver.stop();
  }
});

test("the sink's own counters, the window end and build info go with each window: an outage with drops, counted once", async () => {
  const receiver = new OtlpReceiver();
  await receiver.start();
  const port = receiver.port;
  await receiver.stop();
  const logs: string[] = [];
  const sink = sinkFor(`http://127.0.0.1:${port}`, logs, { maxQueuedWindows: 2 });
  try {
    const windows = replayWindows(6);
    // w0..w3 while the collector is away: each write retries the first batch (w0) and fails; w3 and w4
    // push w1 and w2 out of the two-window backlog. Back for w4: w0, then w3 and w4 are delivered.
    for (const [i, w] of windows.entries()) {
      if (i === 4) await receiver.start(port);
      sink.write(windowReport(w));
      await sink.flush();
    }
    await sink.close();
    assert.deepEqual(sink.stats(), { exportedWindows: 4, failedExports: 4, droppedWindows: 2, queuedWindows: 0 });
    const delivered = [0, 3, 4, 5].map((i) => windows[i]!);
    const series = (metric: string): unknown[][] =>
      receiver.points().filter((p) => p.metric === metric).map((p) => [p.iface, p.start, p.time, p.value]);
    // Cumulative since the first window; a window carries what happened to earlier windows before it was written.
    const counts = (values: number[]): unknown[][] => delivered.map((w, n) => ['eth0', nanos(T0), nanos(w.startMs + FRAME), values[n]]);
    assert.deepEqual(series('peng.otlp.failed_exports'), counts([0, 3, 4, 4]));
    assert.deepEqual(series('peng.otlp.dropped_windows'), counts([0, 0, 1, 2]));
    assert.deepEqual(series('peng.otlp.exported_windows'), counts([0, 0, 0, 3]));
    const points = receiver.points();
    assert.equal(points.find((p) => p.metric === 'peng.otlp.exported_windows')?.kind, 'sum');
    assert.equal(points.find((p) => p.metric === 'peng.otlp.exported_windows')?.unit, '{window}');
    assert.equal(points.find((p) => p.metric === 'peng.otlp.failed_exports')?.unit, '{request}');
    assert.deepEqual(
      series('peng.window.last_end_seconds'),
      delivered.map((w) => ['eth0', nanos(w.startMs), nanos(w.startMs + FRAME), (w.startMs + FRAME) / 1000]),
    );
    assert.equal(points.find((p) => p.metric === 'peng.window.last_end_seconds')?.unit, 's');
    assert.equal(points.find((p) => p.metric === 'peng.window.last_end_seconds')?.kind, 'gauge');
    const info = points.filter((p) => p.metric === 'peng.build.info');
    assert.deepEqual(info.map((p) => [p.time, p.value]), delivered.map((w) => [nanos(w.startMs + FRAME), 1]));
    assert.equal(info[0]!.attributes['peng.version'], info[0]!.resource['service.version'], 'the version as attribute, as the Prometheus endpoint has it');
    assert.equal(info[0]!.kind, 'gauge');
  } finally {
    await sink.close();
    await receiver.stop();
  }
});

test("delta temporality: the sink's own counters are each window's increments, summing to the totals", async () => {
  const receiver = new OtlpReceiver();
  await receiver.start();
  receiver.status = 400;
  const logs: string[] = [];
  try {
    const sink = sinkFor(receiver, logs, { temporality: 'delta' });
    const windows = replayWindows(4);
    for (const [i, w] of windows.entries()) {
      if (i === 2) receiver.status = 200;
      sink.write(windowReport(w));
      await sink.flush();
    }
    await sink.close();
    assert.deepEqual(sink.stats(), { exportedWindows: 2, failedExports: 2, droppedWindows: 2, queuedWindows: 0 });
    const values = (metric: string): number[] => receiver.points().filter((p) => p.metric === metric).map((p) => p.value);
    // w0 and w1 rejected (not received): w1 carried w0's rejection and was lost with it (a delta point lost is
    // lost, as any window's); w2 carries w1's rejection, w3 w2's delivery. Nothing is counted twice.
    assert.deepEqual(values('peng.otlp.failed_exports'), [1, 0]);
    assert.deepEqual(values('peng.otlp.dropped_windows'), [1, 0]);
    assert.deepEqual(values('peng.otlp.exported_windows'), [0, 1]);
  } finally {
    await receiver.stop();
  }
});
