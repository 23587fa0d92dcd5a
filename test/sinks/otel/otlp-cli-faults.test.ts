import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../support/free-port.js';
import { pengBin } from '../../../support/paths.js';
import { pengTestEnv } from '../../support/run-peng.js';
import { MAX_BATCH_WINDOWS, MAX_REQUEST_BYTES } from '../../../src/sinks/otel/otlp-sink.js';
import { startEarlyResetServer, startTricklingServer } from './fault-servers.js';
import { OtlpReceiver } from './otlp-receiver.js';
import { windowEndNanos, writeWindowsCapture } from './replay-captures.js';

const MAX_RSS_PRELOAD = fileURLToPath(new URL('./max-rss-preload.js', import.meta.url));

interface Exit {
  code: number | null;
  stderr: string;
  /** Peak resident set size of the peng process, in MB. */
  maxRssMb: number;
}

/** Runs `peng replay FILE -timeFrame 1m -otlp ...` in the background (so this process can serve), bounded in time. */
function replay(dir: string, file: string, endpoint: string, onStarted?: (pid: number) => void): Promise<Exit> {
  const rssFile = join(dir, 'max-rss');
  // -user '': stays root, so the preload can write its figure into the test's own directory.
  const args = ['--import', MAX_RSS_PRELOAD, pengBin, 'replay', file, '-timeFrame', '1m', '-verbose', '0', '-otlp', '-otlpEndpoint', endpoint, '-user', ''];
  const child = spawn(process.execPath, args, { env: { ...pengTestEnv(), MAX_RSS_REPORT_FILE: rssFile }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const safety = setTimeout(() => child.kill('SIGKILL'), 50_000);
  onStarted?.(child.pid!);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(safety);
      let maxRssMb = NaN;
      try {
        maxRssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
      } catch {
        // killed before exit: no report
      }
      resolve({ code, stderr, maxRssMb });
    });
  });
}

function notDeliveredLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /OTLP: \d+ window\(s\) not delivered/.test(l));
}

async function inTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'peng-otlp-faults-'));
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('replay to a collector that trickles its answer, then SIGTERM: exit 1 within seconds, one line with the count', { timeout: 60_000 }, () =>
  inTempDir(async (dir) => {
    const server = await startTricklingServer();
    try {
      let pid = 0;
      const started = Date.now();
      const running = replay(dir, writeWindowsCapture(dir, 30), server.endpoint, (p) => (pid = p));
      while (server.requests === 0 && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 20));
      assert.ok(server.requests > 0, 'peng reached the trickling collector');
      const signalled = Date.now();
      process.kill(pid, 'SIGTERM');
      const exit = await running;
      const afterSignal = Date.now() - signalled;
      assert.equal(exit.code, 1, exit.stderr);
      assert.ok(afterSignal < 15_000, `exited ${afterSignal} ms after SIGTERM`);
      assert.deepEqual(notDeliveredLines(exit.stderr).map((l) => /OTLP: (\d+) window/.exec(l)?.[1]), ['30'], exit.stderr);
      assert.doesNotMatch(exit.stderr, /Unhandled|at .*\.js:\d+/);
    } finally {
      await server.stop();
    }
  }),
);

test('replay to a peer that answers at once and resets mid-upload: no crash, exit 1, the windows counted as not delivered', { timeout: 60_000 }, () =>
  inTempDir(async (dir) => {
    const server = await startEarlyResetServer();
    try {
      const exit = await replay(dir, writeWindowsCapture(dir, 3000), server.endpoint);
      assert.equal(exit.code, 1, exit.stderr);
      assert.ok(server.requests > 0);
      assert.doesNotMatch(exit.stderr, /Unhandled 'error' event|at .*\.js:\d+/);
      assert.deepEqual(notDeliveredLines(exit.stderr).map((l) => /OTLP: (\d+) window/.exec(l)?.[1]), ['3000'], exit.stderr);
    } finally {
      await server.stop();
    }
  }),
);

test('replay of 30 001 windows to a collector with the 20 MiB limit: bounded requests, every window exactly once, exit 0', { timeout: 60_000 }, () =>
  inTempDir(async (dir) => {
    const receiver = new OtlpReceiver();
    await receiver.start();
    receiver.maxBodyBytes = 20 * 1024 * 1024;
    try {
      const count = 30_001;
      const exit = await replay(dir, writeWindowsCapture(dir, count), receiver.endpoint);
      assert.equal(exit.code, 0, exit.stderr);
      assert.equal(receiver.tooLarge, 0);
      assert.ok(Math.max(...receiver.requests.map((r) => r.bytes)) <= MAX_REQUEST_BYTES);
      assert.ok(receiver.requests.length >= Math.ceil(count / MAX_BATCH_WINDOWS));
      const ends = receiver.points().filter((p) => p.metric === 'peng.server.entropy').map((p) => p.time);
      assert.equal(ends.length, count);
      assert.deepEqual(ends, Array.from({ length: count }, (_, i) => windowEndNanos(i)), 'each window once, in order');
    } finally {
      await receiver.stop();
    }
  }),
);

/**
 * Bound for 100 000 queued windows: a replay without OTLP peaks near 56 MB (Node 24 some 10 MB more); the
 * backlog holds one double per instrument entry a window (37 with probes by kind and the self-metrics, about
 * 400 bytes with the array, so ~40 MB); V8 lets garbage reach about twice the live heap before collecting, and
 * the OTLP modules and one request add a little. 320 MB leaves room for that on Node 20 and 24 (256 MB measured
 * on 24) and still fails on the old whole-backlog serialisation (817 MB measured in the audit).
 */
const MAX_RSS_MB_FOR_100K_WINDOWS = 320;

test('replay of 100 000 windows with the collector down: memory bounded, exit 1, every window counted once', { timeout: 60_000 }, () =>
  inTempDir(async (dir) => {
    const port = await freePort();
    const exit = await replay(dir, writeWindowsCapture(dir, 100_000), `http://127.0.0.1:${port}`);
    assert.equal(exit.code, 1, exit.stderr);
    assert.deepEqual(notDeliveredLines(exit.stderr).map((l) => /OTLP: (\d+) window/.exec(l)?.[1]), ['100000'], exit.stderr);
    assert.equal(exit.stderr.split('\n').filter((l) => /OTLP export .* failed/.test(l)).length, 1, 'the outage is said once');
    assert.ok(exit.maxRssMb < MAX_RSS_MB_FOR_100K_WINDOWS, `peak RSS ${exit.maxRssMb.toFixed(1)} MB`);
  }),
);
