import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLogger } from '../../src/log.js';
import { windowToLine, windowToLines } from '../../src/sinks/line-protocol.js';
import { createLineProtocolSink } from '../../src/sinks/line-protocol-sink.js';
import { buildRoot } from '../../support/paths.js';
import { windowReport } from '../support/reports.js';

/** A writable that records each write() call separately. */
function recorder(): { stream: Writable; writes: string[] } {
  const writes: string[] = [];
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string, _encoding, callback) {
      writes.push(chunk);
      callback();
    },
  });
  return { stream, writes };
}

test('one write per window: the peng line, then its probe lines, each complete and without a host tag', async () => {
  const { stream, writes } = recorder();
  const sink = createLineProtocolSink({ output: stream });
  const reports = [0, 1, 2].map((i) => windowReport({ endMs: 1_700_000_000_000 + i * 60_000, serverEntropy: i / 4, serverSyns: i }));
  for (const report of reports) sink.write(report);
  await sink.close();
  assert.deepEqual(writes, reports.map((r) => windowToLines(r).join('\n') + '\n'));
  for (const [i, w] of writes.entries()) {
    const lines = w.trimEnd().split('\n');
    assert.equal(lines[0], windowToLine(reports[i]!));
    assert.match(lines[1]!, /^peng_probes,direction=client,interface=eth0 syn=0i,fin=0i,/);
    assert.match(lines[2]!, new RegExp(`^peng_probes,direction=server,interface=eth0 syn=${i}i,`));
    assert.ok(lines.every((l) => !l.includes('host=')));
  }
  assert.equal(sink.writtenLines, 3);
});

test('a window line protocol cannot carry is skipped, counted and logged, never thrown', async () => {
  const { stream, writes } = recorder();
  const logged: string[] = [];
  const sink = createLineProtocolSink({ output: stream, log: createLogger({ telegraf: true, write: (t) => logged.push(t) }) });
  sink.write(windowReport({ endMs: Date.UTC(2300, 0, 1) }));
  sink.write(windowReport({ endMs: 1_000 }));
  await sink.close();
  assert.equal(writes.length, 1);
  assert.equal(sink.skippedWindows, 1);
  assert.equal(logged.length, 1);
  assert.match(logged[0]!, /^W! window "eth0" ending at \d+ ms skipped: window end 2300-01-01T00:00:00.000Z is outside/);
});

test('a broken stdout (Telegraf gone) stops the writing without crashing; every line not taken counts as lost', async () => {
  let writes = 0;
  const stream = new Writable({
    write(_chunk, _encoding, callback) {
      writes++;
      callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    },
  });
  const sink = createLineProtocolSink({ output: stream });
  sink.write(windowReport({ endMs: 1_000 }));
  await new Promise((resolve) => setImmediate(resolve));
  sink.write(windowReport({ endMs: 2_000 }));
  sink.write(windowReport({ endMs: 3_000 }));
  await sink.close();
  // The failed stream is not written again; the run says the failure once (the stdout guard), the sink counts.
  assert.equal(writes, 1);
  assert.equal(sink.lost(), 3);
});

test('under execd: each line reaches the pipe at once, stdout carries nothing else, closing stdin ends the run', async () => {
  const sinkUrl = pathToFileURL(join(buildRoot, 'src', 'sinks', 'line-protocol-sink.js')).href;
  const stdinUrl = pathToFileURL(join(buildRoot, 'src', 'run', 'stdin-close.js')).href;
  const logUrl = pathToFileURL(join(buildRoot, 'src', 'log.js')).href;
  // The child writes a window only after the parent has read the previous line: no line may sit in a buffer.
  const code = `
    import { createLineProtocolSink } from ${JSON.stringify(sinkUrl)};
    import { watchStdinClose } from ${JSON.stringify(stdinUrl)};
    import { createLogger } from ${JSON.stringify(logUrl)};
    const log = createLogger({ telegraf: true });
    const sink = createLineProtocolSink({ log });
    let n = 0;
    const next = () => {
      const end = 1700000000000 + n * 1000;
      sink.write({ start: new Date(end - 1000), end: new Date(end), interface: 'we ird,na=me',
        client: { entropy: 0, binEntropies: [], synPackets: 0, bitsSet: 0, bitsSetPerBin: [] },
        server: { entropy: n / 8, binEntropies: [], synPackets: n, bitsSet: 0, bitsSetPerBin: [] },
        capture: { frames: n, synPackets: n, malformed: 0 } });
      n++;
    };
    process.stdin.on('data', (chunk) => { for (const c of String(chunk)) if (c === '\\n') next(); });
    watchStdinClose(() => { log.info('stdin closed, stopping'); void sink.close().then(() => process.exit(0)); });
    next();
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'pipe'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  const lines: string[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    lines.push(line);
    if (lines.length < 5) child.stdin.write('\n');
    else child.stdin.end();
  }
  const exitCode = await exit;
  clearTimeout(timer);
  assert.equal(exitCode, 0, stderr);
  assert.equal(lines.length, 5);
  lines.forEach((line, n) => {
    assert.equal(
      line,
      `peng,interface=we\\ ird\\,na\\=me client_entropy=0,server_entropy=${n / 8},client_syn_packets=0i,server_syn_packets=${n}i ${1_700_000_000_000 + n * 1000}000000`,
    );
  });
  assert.equal(stderr, 'I! stdin closed, stopping\n');
});
