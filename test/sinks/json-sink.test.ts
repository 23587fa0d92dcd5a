import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createConsoleSink } from '../../src/sinks/console-sink.js';
import { createJsonSink } from '../../src/sinks/json-sink.js';
import { windowReport } from '../support/reports.js';

const reports = (n: number) => Array.from({ length: n }, (_, i) => windowReport({ endMs: 1_700_000_000_000 + i * 1000, serverEntropy: 0.5 }));

test('a reader that stops reading: whole windows beyond the bound are dropped and counted, said once, the buffer stays bounded', async (t) => {
  // A real pipe whose reader never reads: the kernel takes ~64 KiB, then Node would buffer without end.
  const reader = spawn('sleep', ['30'], { stdio: ['pipe', 'ignore', 'ignore'] });
  t.after(() => {
    reader.stdin.destroy();
    reader.kill('SIGKILL');
  });
  reader.stdin.on('error', () => {});
  const warnings: string[] = [];
  const bound = 256 * 1024;
  const sink = createJsonSink(reader.stdin, { maxBufferedBytes: bound, warn: (m) => warnings.push(m), closeTimeoutMs: 200 });
  const lineBytes = Buffer.byteLength(JSON.stringify(reports(1)[0]) + '\n');
  const count = Math.ceil((2 * bound + 128 * 1024) / lineBytes); // far beyond pipe and bound together
  let maxBuffered = 0;
  for (const report of reports(count)) {
    sink.write(report);
    maxBuffered = Math.max(maxBuffered, reader.stdin.writableLength);
  }
  assert.ok(maxBuffered <= bound, `buffered ${maxBuffered} bytes, bound ${bound}`);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^the reader of stdout is not keeping up \(\d+ bytes waiting\); windows beyond 262144 bytes are dropped and counted/);
  await sink.close();
  // Nothing reached the reader for sure: what was dropped plus what still waited at close is all lost.
  const lost = sink.lost!();
  assert.ok(lost > count - (bound + 128 * 1024) / lineBytes, `lost ${lost} of ${count}`);
  assert.ok(lost <= count);
});

test('a stream that fails (/dev/full): no crash, not written again, every window counted as lost', async () => {
  const out = createWriteStream('/dev/full');
  let writes = 0;
  const write = out.write.bind(out);
  out.write = ((chunk: string, callback?: (error?: Error | null) => void) => {
    writes++;
    return write(chunk, callback);
  }) as typeof out.write;
  const sink = createJsonSink(out, { closeTimeoutMs: 1000 });
  sink.write(reports(1)[0]!);
  await once(out, 'error');
  for (const report of reports(4)) sink.write(report);
  await sink.close();
  assert.equal(writes, 1);
  assert.equal(sink.lost!(), 5);
});

test('console lines to a failed stream count as lost windows too', async () => {
  const out = createWriteStream('/dev/full');
  const sink = createConsoleSink({ verbose: 1, out, closeTimeoutMs: 1000 });
  for (const report of reports(3)) sink.write(report);
  await sink.close();
  assert.equal(sink.lost!(), 3);
});

test('a working stream loses nothing: every window is one JSON line', async () => {
  const chunks: string[] = [];
  const { Writable } = await import('node:stream');
  const out = new Writable({
    decodeStrings: false,
    write(chunk: string, _encoding, callback) {
      chunks.push(chunk);
      setImmediate(callback);
    },
  });
  const sink = createJsonSink(out);
  for (const report of reports(10)) sink.write(report);
  await sink.close();
  assert.equal(sink.lost!(), 0);
  assert.equal(chunks.length, 10);
  assert.ok(chunks.every((c) => c.endsWith('}\n') && JSON.parse(c).interface === 'eth0'));
});
