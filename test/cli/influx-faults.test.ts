import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FaultHttpServer } from '../support/fault-http-server.js';
import { TcpFlags, tcpFrame, linkTypeOf } from '../../support/frames.js';
import { pcapFile, DEFAULT_START_MICROS } from '../../support/capture-writers.js';
import { pengBin } from '../../support/paths.js';
import { pengTestEnv, runPeng } from '../support/run-peng.js';
import { liveSkip } from '../sources/live/live-support.js';

const run = promisify(execFile);

let dir: string;
let capture: string;
const WINDOWS = 5;
/** Each window is three lines: `peng`, and `peng_probes` for each direction (no scanner in this capture). */
const LINES = WINDOWS * 3;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'peng-influx-faults-'));
  // Five one-minute windows, one SYN each.
  const records = Array.from({ length: WINDOWS }, (_, w) => ({
    bytes: tcpFrame({ link: 'ethernet', ipv4: { src: '198.51.100.1', dst: '192.0.2.1' }, tcp: { dstPort: 1000 + w, flags: TcpFlags.SYN } }),
    timeMicros: DEFAULT_START_MICROS + w * 60_000_000,
  }));
  capture = join(dir, 'five.pcap');
  writeFileSync(capture, pcapFile(linkTypeOf.ethernet, records));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI without blocking this process's event loop (the fault server lives in it). */
async function runPengAsync(args: readonly string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [pengBin, ...args], { env: pengTestEnv(), timeout: timeoutMs });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number | null; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

const influx = (port: number | string): string[] => ['-verbose', '0', '-bucket', 'b', '-org', 'o', '-influxUrl', 'http://127.0.0.1', '-influxPort', String(port)];

test('a token with a trailing \\r (CRLF token file) is refused at configuration: exit 2, which character and where, never the token', () => {
  const secret = 'Zm9vYmFyYmF6cXV1eA==';
  for (const [args, env, source] of [
    [['replay', capture, ...influx(1)], { PENG_TOKEN: `${secret}\r` }, /^peng: PENG_TOKEN=\[hidden\]: /],
    [['replay', capture, ...influx(1), '-token', `${secret}\r`], {}, /^peng: -token \[hidden\]: /],
    [['replay', capture, ...influx(1), '-token', `${secret.slice(0, 4)}\n${secret.slice(4)}`], {}, /line feed \(\\n\), U\+000A, at character 5 of 21/],
    [[...influx(1)], { PENG_TOKEN: `${secret}\r` }, /^peng: PENG_TOKEN=\[hidden\]: /], // live: refused before any capture opens
  ] as const) {
    const result = runPeng(args, { env, timeoutMs: 20_000 });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, '');
    const lines = result.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, source);
    assert.ok(!result.stderr.includes(secret.slice(0, 8)), 'the token must not be echoed');
    if (source.source.includes('hidden')) {
      assert.match(lines[0]!, /the token contains a carriage return \(\\r\), U\+000D, at its end \(character 21 of 21\), which an HTTP header cannot carry; remove it/);
    }
  }
});

test('replay whose lines InfluxDB rejects: exit 1, the rejection said once with the server\'s reason, every line counted', { timeout: 60_000 }, async () => {
  const server = await FaultHttpServer.start((_req, res) => res.writeHead(400, { 'Content-Type': 'application/json' }).end('{"code":"invalid","message":"unable to parse points"}'));
  try {
    const result = await runPengAsync(['replay', capture, ...influx(server.port), '-token', 't'], 30_000);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(server.lines().length, LINES, 'every line of every window was sent');
    const reasons = result.stderr.split('\n').filter((l) => l.includes('unable to parse points'));
    assert.ok(reasons.length >= 1 && reasons.length <= 2, result.stderr);
    assert.match(reasons[0]!, /^peng: InfluxDB at http:\/\/127\.0\.0\.1:\d+ rejected \d+ line\(s\), dropped: HTTP 400: unable to parse points$/);
    if (reasons.length === 2) assert.match(reasons[1]!, new RegExp(`rejected ${LINES} line\\(s\\) in all`));
    assert.match(result.stderr, new RegExp(`^peng: ${LINES} window\\(s\\) or line\\(s\\) were not delivered to every output`, 'm'));
  } finally {
    await server.close();
  }
});

test('replay against a server that never answers: the bounded close holds the process, then exit 1 with the count', { timeout: 60_000 }, async () => {
  const server = await FaultHttpServer.start(() => {});
  try {
    const started = Date.now();
    const result = await runPengAsync(['replay', capture, ...influx(server.port), '-token', 't'], 40_000);
    const tookMs = Date.now() - started;
    assert.equal(result.code, 1, result.stderr);
    assert.ok(tookMs < 30_000, `took ${tookMs} ms`);
    assert.match(result.stderr, new RegExp(`^peng: ${LINES} line\\(s\\) could not be written to InfluxDB at \\S+ before shutdown \\(last error: no answer within 5000 ms of shutdown\\)$`, 'm'));
    assert.doesNotMatch(result.stderr, /cannot write to InfluxDB/, 'a request cut off at shutdown is counted as unwritten, not announced as an outage');
    assert.equal(server.maxOpenConnections, 1);
    await server.waitForNoConnections();
  } finally {
    await server.close();
  }
});

test('nothing listens on the seed default port 9999: one line says InfluxDB 2 listens on 8086, exit 1', { timeout: 60_000 }, async () => {
  // A fresh network namespace: nothing can be listening on 9999 there, whatever this host runs.
  const script = `ip link set lo up && exec "$0" "$@"`;
  const args = [pengBin, 'replay', capture, '-verbose', '0', '-bucket', 'b', '-org', 'o', '-token', 't'];
  let stderr = '';
  let code: number | null = 0;
  try {
    await run('unshare', ['-n', 'sh', '-c', script, process.execPath, ...args], { env: pengTestEnv(), timeout: 40_000 });
  } catch (error) {
    ({ stderr, code } = error as { stderr: string; code: number | null });
  }
  assert.equal(code, 1, stderr);
  const notices = stderr.split('\n').filter((l) => l.includes('listens on 8086'));
  assert.equal(notices.length, 1, stderr);
  assert.match(notices[0]!, /^peng: warning: cannot write to InfluxDB at http:\/\/localhost:9999: .*ECONNREFUSED.* \(InfluxDB 2 listens on 8086, not 9999: give -influxPort 8086 or a URL with the port\); keeping up to \d+ lines and retrying$/);
  assert.match(stderr, new RegExp(`^peng: ${LINES} line\\(s\\) could not be written to InfluxDB at http://localhost:9999 before shutdown \\(last error: .*ECONNREFUSED`, 'm'));
});

test('live, SIGTERM while InfluxDB never answers: the bounded close holds the process (no silent exit 0), then exit 1 with the count', { skip: liveSkip, timeout: 60_000 }, async () => {
  const server = await FaultHttpServer.start(() => {});
  // Loopback capture: the traffic seen does not matter here, only the windows and the shutdown.
  const child = spawn(process.execPath, [pengBin, '-network', 'lo', '-timeFrame', '500ms', ...influx(server.port), '-token', 't'], { env: pengTestEnv(), stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    const deadline = Date.now() + 15_000;
    while (server.requests.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(server.requests.length, 1, stderr);
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // more windows wait behind the request on the wire
    child.kill('SIGTERM');
    const code = await exited;
    assert.equal(code, 1, stderr);
    assert.match(stderr, /^peng: (\d+) line\(s\) could not be written to InfluxDB at \S+ before shutdown \(last error: no answer within 5000 ms of shutdown\)$/m);
    const unwritten = Number(/^peng: (\d+) line\(s\) could not be written/m.exec(stderr)![1]);
    assert.ok(unwritten >= 3, stderr);
    assert.equal(server.requests.length, 1, 'one request at a time: the first never ended, so no second one');
    assert.equal(server.maxOpenConnections, 1);
  } finally {
    clearTimeout(guard);
    child.kill('SIGKILL');
    await server.close();
  }
});
