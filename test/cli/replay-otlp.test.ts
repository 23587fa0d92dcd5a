import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TcpFlags, tcpFrame, linkTypeOf } from '../../support/frames.js';
import { pcapFile, DEFAULT_START_MICROS } from '../../support/capture-writers.js';
import { freePort } from '../support/free-port.js';
import { pengBin } from '../../support/paths.js';
import { pengTestEnv } from '../support/run-peng.js';
import { OtlpReceiver } from '../sinks/otel/otlp-receiver.js';

const run = promisify(execFile);
const WINDOWS = 180;

/** Three hours of one SYN a minute: 180 one-minute windows that a replay closes in a few milliseconds. */
function threeHours(dir: string): string {
  const records = [];
  for (let i = 0; i < WINDOWS; i++) {
    records.push({ bytes: tcpFrame({ link: 'ethernet', ipv4: { src: '198.51.100.1', dst: '192.0.2.1' }, tcp: { dstPort: 1000 + i, flags: TcpFlags.SYN } }), timeMicros: DEFAULT_START_MICROS + i * 60_000_000 });
  }
  const file = join(dir, '3h.pcap');
  writeFileSync(file, pcapFile(linkTypeOf.ethernet, records));
  return file;
}


test('replay -otlp delivers every window exactly once, however fast the windows close', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peng-otlp-'));
  const receiver = new OtlpReceiver();
  await receiver.start();
  try {
    const file = threeHours(dir);
    await run(process.execPath, [pengBin, 'replay', file, '-otlp', '-otlpEndpoint', receiver.endpoint, '-verbose', '0'], { env: pengTestEnv(), timeout: 50_000 });
    const entropy = receiver.points().filter((p) => p.metric === 'peng.server.entropy');
    assert.equal(entropy.length, WINDOWS);
    assert.equal(new Set(entropy.map((p) => p.time)).size, WINDOWS, 'no window twice');
    const first = BigInt(DEFAULT_START_MICROS) * 1000n;
    assert.deepEqual(
      entropy.map((p) => BigInt(p.time) - first).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      Array.from({ length: WINDOWS }, (_, i) => BigInt(i + 1) * 60_000_000_000n),
    );
  } finally {
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('replay -otlp to a collector that is not there exits 1 and says how many windows were lost', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peng-otlp-'));
  try {
    const file = threeHours(dir);
    const port = await freePort();
    const failure = await run(process.execPath, [pengBin, 'replay', file, '-otlp', '-otlpEndpoint', `http://127.0.0.1:${port}`, '-verbose', '0'], { env: pengTestEnv(), timeout: 50_000 }).then(
      () => null,
      (err: { code?: number; stderr?: string }) => err,
    );
    assert.ok(failure, 'the run must fail');
    assert.equal(failure.code, 1);
    assert.match(failure.stderr ?? '', /180 window\(s\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
