import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { get } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { createOtelOutput, resolveExporters } from '../../../src/sinks/otel/otel-output.js';
import { OtlpReceiver } from './otlp-receiver.js';
import { windowReport } from '../../support/reports.js';

const FRAME = 10_000;
const T0 = Date.UTC(2021, 5, 1, 12, 0, 0);

function scrape(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    }).on('error', reject);
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('exporter selection: OTEL_METRICS_EXPORTER, OTEL_LOGS_EXPORTER, OTEL_SDK_DISABLED; -prometheusPort asks for prometheus', () => {
  const logged: string[] = [];
  const log = (m: string): void => void logged.push(m);
  assert.deepEqual(resolveExporters({}, undefined, log), { disabled: false, metrics: 'otlp', logs: 'otlp' });
  assert.deepEqual(resolveExporters({}, 9464, log), { disabled: false, metrics: 'prometheus', logs: 'otlp' });
  assert.deepEqual(resolveExporters({ OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'console' }, undefined, log), { disabled: false, metrics: 'none', logs: 'console' });
  assert.deepEqual(resolveExporters({ OTEL_METRICS_EXPORTER: 'Prometheus' }, undefined, log), { disabled: false, metrics: 'prometheus', logs: 'otlp' });
  assert.deepEqual(resolveExporters({ OTEL_SDK_DISABLED: 'TRUE' }, undefined, log).disabled, true);
  assert.deepEqual(resolveExporters({ OTEL_SDK_DISABLED: 'false' }, undefined, log).disabled, false);
  assert.deepEqual(logged, []);
  assert.equal(resolveExporters({ OTEL_LOGS_EXPORTER: 'zipkin' }, undefined, log).logs, 'otlp');
  assert.match(logged[0] ?? '', /OTEL_LOGS_EXPORTER: zipkin not supported/);
});

test('OTEL_SDK_DISABLED=true: no OpenTelemetry output at all, said once', async () => {
  const logs: string[] = [];
  const sinks = await createOtelOutput({ timeFrameMs: FRAME, env: { OTEL_SDK_DISABLED: 'true' }, log: (m) => logs.push(m) });
  assert.deepEqual(sinks, []);
  assert.match(logs.join('\n'), /OTEL_SDK_DISABLED=true/);
  assert.deepEqual(await createOtelOutput({ timeFrameMs: FRAME, env: { OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' } }), []);
});

test('console exporters: one OTLP/JSON line per request on the console output, nothing sent anywhere', async () => {
  const receiver = new OtlpReceiver();
  await receiver.start();
  const lines: string[] = [];
  try {
    const [sink, ...more] = await createOtelOutput({
      endpoint: receiver.endpoint, timeFrameMs: FRAME, env: { OTEL_METRICS_EXPORTER: 'console', OTEL_LOGS_EXPORTER: 'none' }, consoleOut: (l) => lines.push(l), log: () => undefined,
    });
    assert.equal(more.length, 0);
    sink!.write(windowReport({ startMs: T0, serverEntropy: 0.5 }));
    await sink!.close();
    assert.equal(receiver.requests.length, 0);
    assert.equal(lines.length, 1);
    const body = JSON.parse(lines[0]!) as { resourceMetrics: { scopeMetrics: { metrics: { name: string }[] }[] }[] };
    assert.ok(body.resourceMetrics[0]!.scopeMetrics[0]!.metrics.some((m) => m.name === 'peng.server.entropy'));
  } finally {
    await receiver.stop();
  }
});

test('OTEL_METRICS_EXPORTER=prometheus: a real scrape sees the last window per interface with the rules\' names, promtool accepts it; scan events still go over OTLP', { timeout: 30_000 }, async () => {
  const receiver = new OtlpReceiver();
  await receiver.start();
  const port = await freePort();
  const logs: string[] = [];
  const sinks = await createOtelOutput({
    endpoint: receiver.endpoint, timeFrameMs: FRAME, instanceKey: 'live:eth0',
    env: { OTEL_METRICS_EXPORTER: 'prometheus', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(port) },
    log: (m) => logs.push(m),
  });
  try {
    assert.deepEqual(sinks.map((s) => s.name), ['prometheus', 'otlp']);
    const first = windowReport({ interface: 'eth0', startMs: T0, serverEntropy: 0.25, serverSyns: 10, frames: 100 });
    Object.assign(first, { scans: [{ source: '203.0.113.9', direction: 'server', reason: 'vertical', kinds: ['syn'], probes: 1, ports: 100, hosts: 1, firstSeen: new Date(T0), lastSeen: new Date(T0), detectedAt: new Date(T0), new: true }], scanners: { server: 1, client: 0 } });
    for (const sink of sinks) sink.write(first);
    for (const sink of sinks) sink.write(windowReport({ interface: 'eth0', startMs: T0 + FRAME, serverEntropy: 1.5, serverSyns: 5, frames: 50 }));
    const { status, type, body } = await scrape(`http://127.0.0.1:${port}/metrics`);
    assert.equal(status, 200);
    assert.match(type, /text\/plain/);
    const host = `host_name="${hostname()}"`;
    const sample = (name: string): number | undefined => {
      const line = body.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes('network_interface_name="eth0"'));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    assert.equal(sample('peng_server_entropy'), 1.5, 'the last window');
    assert.equal(sample('peng_server_syn_packets_total'), 15, 'counters are running totals');
    assert.equal(sample('peng_capture_frames_total'), 150);
    assert.equal(sample('peng_server_scanners'), undefined, 'the second window named no scanner count');
    assert.ok(body.includes(host), 'host.name as a label, as the rules expect');
    assert.doesNotMatch(body, /_ratio/);
    assert.match(body, /peng_build_info\{[^}]*peng_version="\d+\.\d+\.\d+"[^}]*\} 1/);
    assert.match(body, /peng_window_last_end_seconds\{[^}]*\} 1622548820/);
    assert.match(body, /target_info\{[^}]*service_instance_id="[0-9a-f-]{36}"/);
    for (const line of body.split('\n')) if (line !== '' && !line.startsWith('#')) assert.doesNotMatch(line, /\} [\d.e+-]+ \d+$/, `no timestamp: ${line}`);
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8', timeout: 20_000 });
    if (promtool.error === undefined) assert.equal(promtool.status, 0, `${promtool.stdout}${promtool.stderr}`);
    for (const sink of sinks) await sink.close();
    assert.equal(receiver.requests.filter((r) => r.url === '/v1/metrics').length, 0, 'metrics are pulled, not pushed');
    assert.equal(receiver.requests.filter((r) => r.url === '/v1/logs').length, 1, 'the scan event is pushed');
    assert.deepEqual(logs, []);
    await assert.rejects(scrape(`http://127.0.0.1:${port}/metrics`), 'the endpoint is gone after close');
  } finally {
    for (const sink of sinks) await sink.close();
    await receiver.stop();
  }
});

test('OTEL_EXPORTER_OTLP_COMPRESSION=gzip: both signals arrive gzipped over HTTP and decode; the console still prints plain JSON', async () => {
  const receiver = new OtlpReceiver();
  await receiver.start();
  const lines: string[] = [];
  const scanned = (): ReturnType<typeof windowReport> =>
    Object.assign(windowReport({ startMs: T0 }), { scans: [{ source: '203.0.113.9', direction: 'server', reason: 'vertical', kinds: ['syn'], probes: 1, ports: 100, hosts: 1, firstSeen: new Date(T0), lastSeen: new Date(T0), detectedAt: new Date(T0), new: true }], scanners: { server: 1, client: 0 } });
  try {
    const [http] = await createOtelOutput({ endpoint: receiver.endpoint, timeFrameMs: FRAME, env: { OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' }, log: () => undefined });
    http!.write(scanned());
    await http!.close();
    assert.deepEqual(receiver.requests.map((r) => [r.url, r.headers['content-encoding']]).sort(), [['/v1/logs', 'gzip'], ['/v1/metrics', 'gzip']]);
    assert.ok(receiver.requests.every((r) => r.body !== undefined));
    const [toConsole] = await createOtelOutput({
      endpoint: receiver.endpoint, timeFrameMs: FRAME, env: { OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip', OTEL_METRICS_EXPORTER: 'console', OTEL_LOGS_EXPORTER: 'console' }, consoleOut: (l) => lines.push(l), log: () => undefined,
    });
    toConsole!.write(scanned());
    await toConsole!.close();
    assert.equal(lines.length, 2, 'metrics and the scan event');
    for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), line.slice(0, 40));
  } finally {
    await receiver.stop();
  }
});
