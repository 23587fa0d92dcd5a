import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WindowReport } from '../../src/report/window-report.js';
import { createLogger } from '../../src/log.js';
import { createInfluxDbSink, influxServerUrl, type InfluxDbSink, type InfluxDbSinkOptions } from '../../src/sinks/influxdb-sink.js';
import { buildRoot, repoRoot } from '../../support/paths.js';
import { seedWindowReport as windowReport } from '../support/reports.js';
import { VictoriaMetrics, type ExportedSeries } from '../support/victoria-metrics.js';

let vm: VictoriaMetrics;
before(async () => {
  vm = await VictoriaMetrics.start();
});
after(async () => {
  await vm?.close();
});

const FIELDS = ['client_entropy', 'server_entropy', 'client_syn_packets', 'server_syn_packets'] as const;

function sinkOptions(host: string, extra: Partial<InfluxDbSinkOptions> = {}): InfluxDbSinkOptions {
  return { url: 'http://127.0.0.1', port: vm.port, org: 'peng-org', bucket: 'peng-bucket', token: 'peng-token', host, ...extra };
}

function logCollector(): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger({ telegraf: true, write: (t) => lines.push(t.trimEnd()) }) };
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The windows' values as VictoriaMetrics stores them: `${field} ${interface} ${ms}` → value. */
function expectedPoints(reports: WindowReport[]): Map<string, number> {
  const points = new Map<string, number>();
  for (const r of reports) {
    const values = [r.client.entropy, r.server.entropy, r.client.synPackets, r.server.synPackets];
    FIELDS.forEach((field, i) => points.set(`${field} ${r.interface} ${r.end.getTime()}`, values[i]!));
  }
  return points;
}

async function storedPoints(host: string): Promise<Map<string, number>> {
  const series: ExportedSeries[] = await vm.export(`{__name__=~"peng_.*",host="${host}"}`);
  const points = new Map<string, number>();
  for (const s of series) {
    const field = s.metric['__name__']!.replace(/^peng_/, '');
    s.timestamps.forEach((t, i) => points.set(`${field} ${s.metric['interface']} ${t}`, s.values[i]!));
  }
  return points;
}

/** Every stored value equals the written one (to 1e-12: VictoriaMetrics keeps about 12 significant digits). */
function assertSamePoints(stored: Map<string, number>, expected: Map<string, number>): void {
  assert.deepEqual([...stored.keys()].sort(), [...expected.keys()].sort());
  for (const [key, value] of expected) {
    const got = stored.get(key)!;
    assert.ok(Math.abs(got - value) <= 1e-12 * Math.max(1, Math.abs(value)), `${key}: stored ${got}, written ${value}`);
  }
}

function windows(count: number, firstEndMs: number, iface = 'eth0'): WindowReport[] {
  return Array.from({ length: count }, (_, i) =>
    windowReport({
      interface: iface,
      endMs: firstEndMs + i * 60_000,
      clientEntropy: i % 3 === 0 ? 0 : 0.034310 + i / 1000,
      serverEntropy: i % 4 === 3 ? 2 : 0.43590558771 + i / 100,
      clientSyns: i,
      serverSyns: 1000 + i * 7,
    }),
  );
}

test('the seed flags give the server URL: influxUrl + influxPort, unless the URL names a port', () => {
  assert.equal(influxServerUrl('http://localhost', 9999), 'http://localhost:9999');
  assert.equal(influxServerUrl('https://influx.example.com/', 443), 'https://influx.example.com');
  assert.equal(influxServerUrl('http://influx:8086', 9999), 'http://influx:8086');
  assert.equal(influxServerUrl('http://[::1]', 8086), 'http://[::1]:8086');
  assert.equal(influxServerUrl('http://proxy/influx', 8086), 'http://proxy:8086/influx');
  assert.throws(() => influxServerUrl('localhost:9999', 1), /must start with http:\/\/ or https:\/\//);
  assert.throws(() => influxServerUrl('not a url', 1), /invalid InfluxDB URL "not a url"/);
});

test('the writer is Peng\'s own over node:http: no InfluxDB client library is imported', async () => {
  const compiled = await readFile(join(buildRoot, 'src', 'sinks', 'influxdb-sink.js'), 'utf8');
  assert.doesNotMatch(compiled, /@influxdata\/influxdb-client/);
  const manifest = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  assert.equal(manifest.dependencies['@influxdata/influxdb-client'], undefined);
});

test('every window reaches InfluxDB 2 /api/v2/write with its values and its end as timestamp', async () => {
  const { lines, log } = logCollector();
  const sink = await createInfluxDbSink(sinkOptions('written', { log }));
  const reports = [...windows(6, Date.UTC(2024, 2, 1, 12), 'eth0'), ...windows(4, Date.UTC(2024, 2, 1, 12), 'my nic,1')];
  for (const report of reports) sink.write(report);
  await sink.close();
  assert.equal(sink.writtenLines, reports.length);
  assert.equal(sink.droppedLines, 0);
  assertSamePoints(await storedPoints('written'), expectedPoints(reports));
  assert.deepEqual(lines, []);
});

test('server stopped mid-run and restarted: nothing that fit in the buffer is lost, one notice each way', async () => {
  const { lines, log } = logCollector();
  const sink = await createInfluxDbSink(sinkOptions('outage', { log, retry: { minDelayMs: 100, maxDelayMs: 300 } }));
  const reports = windows(9, Date.UTC(2024, 2, 2));
  try {
    for (const report of reports.slice(0, 3)) sink.write(report);
    await waitFor(() => sink.writtenLines === 3, 'the first windows');
    await vm.stop();
    for (const report of reports.slice(3)) {
      sink.write(report);
      await sink.idle();
    }
    assert.ok(sink.outageActive);
    assert.equal(sink.pendingLines, 6);
    await vm.start();
    await waitFor(() => sink.writtenLines === reports.length, 'the buffered windows after the restart');
  } finally {
    await vm.start();
    await sink.close();
  }
  assert.equal(sink.droppedLines, 0);
  assertSamePoints(await storedPoints('outage'), expectedPoints(reports));
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(lines[0]!, /^W! cannot write to InfluxDB at http:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED .*; keeping up to 10000 lines and retrying$/);
  assert.match(lines[1]!, /^I! InfluxDB at http:\/\/127\.0\.0\.1:\d+ accepts writes again after \d+ s$/);
});

test('an outage longer than the buffer drops the oldest lines, counts them, and says so once', async () => {
  const { lines, log } = logCollector();
  // Retries start after 2-4 s, so the buffer only fills from new windows while the server is down.
  const sink = await createInfluxDbSink(sinkOptions('overflow', { log, maxBufferLines: 5, retry: { minDelayMs: 2_000, maxDelayMs: 4_000 } }));
  const reports = windows(16, Date.UTC(2024, 2, 3));
  try {
    await vm.stop();
    for (const report of reports) {
      sink.write(report);
      await sink.idle();
    }
    assert.ok(sink.droppedLines >= reports.length - 5, `dropped ${sink.droppedLines}`);
    await vm.start();
    await waitFor(() => sink.pendingLines === 0, 'the retry buffer to drain');
  } finally {
    await vm.start();
    await sink.close();
  }
  assert.equal(sink.writtenLines + sink.droppedLines, reports.length);
  const stored = await storedPoints('overflow');
  // The oldest waiting lines are dropped: the newest window always survives, and every survivor arrives with its exact values.
  const survivors = reports.filter((r) => stored.has(`server_entropy eth0 ${r.end.getTime()}`));
  assert.equal(survivors.length, sink.writtenLines);
  assert.ok(survivors.includes(reports.at(-1)!));
  assertSamePoints(stored, expectedPoints(survivors));
  const warnings = lines.filter((l) => l.startsWith('W! '));
  assert.equal(warnings.length, 3, lines.join('\n'));
  assert.match(warnings[0]!, /cannot write to InfluxDB/);
  assert.match(warnings[1]!, /^W! InfluxDB buffer is full \(5 lines\): dropping the oldest lines/);
  assert.match(warnings[2]!, new RegExp(`accepts writes again after \\d+ s; ${sink.droppedLines} line\\(s\\) were dropped meanwhile$`));
});

test('a rejected token is read from the answer, reported with a hint, and the lines counted as dropped', async () => {
  const guarded = await VictoriaMetrics.start(['-httpAuth.username=peng', '-httpAuth.password=secret']);
  try {
    const { lines, log } = logCollector();
    const sink = await createInfluxDbSink({ ...sinkOptions('denied', { log }), port: guarded.port });
    sink.write(windowReport({ endMs: Date.UTC(2024, 2, 4) }));
    await sink.idle();
    sink.write(windowReport({ endMs: Date.UTC(2024, 2, 4, 0, 1) }));
    await sink.close();
    assert.equal(sink.droppedLines, 2);
    assert.equal(sink.writtenLines, 0);
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^E! InfluxDB at http:\/\/127\.0\.0\.1:\d+ rejected 1 line\(s\), dropped: HTTP 401: .*check --token/);
    // Said once; the total follows at close, not one message per request.
    assert.match(lines[1]!, /^E! InfluxDB at \S+ rejected 2 line\(s\) in all, dropped: HTTP 401: .*check --token/);
  } finally {
    await guarded.close();
  }
});

test('close() with the server gone gives up at its timeout and reports what was not written', async () => {
  const { lines, log } = logCollector();
  await vm.stop();
  let sink: InfluxDbSink | undefined;
  try {
    sink = await createInfluxDbSink(sinkOptions('gone', { log, closeTimeoutMs: 500 }));
    sink.write(windowReport({ endMs: Date.UTC(2024, 2, 5) }));
    sink.write(windowReport({ endMs: Date.UTC(2024, 2, 5, 0, 1), interface: 'eth1' }));
    await sink.close();
  } finally {
    await vm.start();
  }
  assert.equal(sink.droppedLines, 2);
  assert.equal(sink.pendingLines, 0);
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(lines[0]!, /^W! cannot write to InfluxDB at .*: connect ECONNREFUSED/);
  assert.match(lines[1]!, /^E! 2 line\(s\) could not be written to InfluxDB at \S+ before shutdown \(last error: connect ECONNREFUSED .*\)$/);
  // Windows after close are counted, not sent.
  sink.write(windowReport({ endMs: Date.UTC(2024, 2, 6) }));
  assert.equal(sink.skippedWindows, 1);
});
