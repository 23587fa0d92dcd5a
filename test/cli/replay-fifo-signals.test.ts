import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TcpFlags, tcpFrame, linkTypeOf } from '../../support/frames.js';
import { Background, run } from '../../support/netns.js';
import { pengBin } from '../../support/paths.js';
import { pcapFile, DEFAULT_START_MICROS } from '../../support/capture-writers.js';
import { pengTestEnv } from '../support/run-peng.js';

// A replay from a FIFO waits on the event loop, never in a blocking open or read: a signal stops it at
// once whether no writer ever came or a slow one is between writes, and the exit status says interrupted.

const dir = mkdtempSync(join(tmpdir(), 'peng-fifo-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let fifoCount = 0;
async function fifo(): Promise<string> {
  const path = join(dir, `capture-${fifoCount++}.fifo`);
  await run(null, 'mkfifo', [path]);
  return path;
}

function startReplay(path: string): Background {
  const env = Object.entries({ ...pengTestEnv() }).map(([k, v]) => `${k}=${v ?? ''}`);
  return new Background(null, 'env', ['-i', ...env, process.execPath, pengBin, 'replay', path, '-timeFrame', '1s', '-json', '-verbose', '0', '-localAddresses', '192.0.2.1']);
}

/** Sends `signal` and measures how long the replay takes to exit. */
async function stopTimed(peng: Background, signal: NodeJS.Signals): Promise<{ code: number | null; ms: number }> {
  const started = performance.now();
  const exit = await peng.stop(signal, 10_000);
  return { code: exit.code, ms: performance.now() - started };
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`a FIFO no writer ever opens: ${signal} ends the replay within 2 s, exit 1 (interrupted)`, { timeout: 30_000 }, async () => {
    const peng = startReplay(await fifo());
    try {
      await new Promise((resolve) => setTimeout(resolve, 700)); // well into the wait for a writer
      assert.equal(peng.running, true, peng.stderr);
      const exit = await stopTimed(peng, signal);
      assert.ok(exit.ms < 2_000, `took ${exit.ms} ms`);
      assert.equal(exit.code, 1, peng.stderr);
      assert.match(peng.stderr, /replay of .* interrupted after 0 frames/);
      assert.equal(peng.stdout, '');
    } finally {
      await peng.stop('SIGKILL');
    }
  });
}

test('a slow writer between pieces: SIGTERM ends the replay within 2 s, the windows so far reported, exit 1', { timeout: 30_000 }, async () => {
  // One SYN every 100 ms of packet time for 60 s; the writer sends a second of packet time every 300 ms.
  const frame = tcpFrame({ link: 'ethernet', ipv4: { src: '198.51.100.9', dst: '192.0.2.1' }, tcp: { dstPort: 443, flags: TcpFlags.SYN } });
  const records = Array.from({ length: 600 }, (_, i) => ({ bytes: frame, timeMicros: DEFAULT_START_MICROS + i * 100_000 }));
  const source = join(dir, 'slow.pcap');
  writeFileSync(source, pcapFile(linkTypeOf.ethernet, records));
  const path = await fifo();
  const piece = 24 + 10 * (16 + frame.length); // the file header and about a second of frames
  const writerScript = `const fs=require('fs');const b=fs.readFileSync(process.argv[1]);const fd=fs.openSync(process.argv[2],'w');let o=0;(function next(){if(o>=b.length){fs.closeSync(fd);return;}fs.writeSync(fd,b.subarray(o,o+=${piece}));setTimeout(next,300);})();`;
  const writer = new Background(null, process.execPath, ['-e', writerScript, source, path]);
  const peng = startReplay(path);
  try {
    await peng.waitFor(/(^\{.*\n){3}/m, 15_000); // three windows reported so far
    const exit = await stopTimed(peng, 'SIGTERM');
    assert.ok(exit.ms < 2_000, `took ${exit.ms} ms`);
    assert.equal(exit.code, 1, peng.stderr);
    assert.match(peng.stderr, /replay of .* interrupted after \d+ frames; the windows so far were reported/);
    const windows = peng.stdout.trim().split('\n').map((line) => JSON.parse(line) as { server: { synPackets: number }; partial?: boolean });
    assert.ok(windows.length >= 3 && windows.length < 60, `${windows.length} windows`);
    assert.ok(windows.slice(0, -1).every((w) => w.server.synPackets === 10), JSON.stringify(windows.map((w) => w.server.synPackets)));
    assert.equal(windows.at(-1)!.partial, true, 'the window in progress is reported as partial');
  } finally {
    await peng.stop('SIGKILL');
    await writer.stop('SIGKILL');
  }
});
