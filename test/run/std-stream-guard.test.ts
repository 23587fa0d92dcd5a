import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { StdStreamGuard } from '../../src/run/std-stream-guard.js';
import { createLogger } from '../../src/log.js';

/** Fails every write with `code`, emitting 'error' each time, as stdout on a full disk does. */
function failing(code: string): Writable & { writes: number } {
  const stream = Object.assign(
    new Writable({
      autoDestroy: false,
      write(_chunk, _encoding, callback) {
        stream.writes++;
        callback(Object.assign(new Error(`${code}: it failed, write`), { code }));
      },
    }),
    { writes: 0 },
  );
  return stream;
}

function recording(): Writable & { text: string } {
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        stream.text += chunk.toString();
        callback();
      },
    }),
    { text: '' },
  );
  return stream;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('stdout failing again and again is said once on stderr, in the run logger\'s format, and makes the exit status 1', async () => {
  // stdout on a file is a SyncWriteStream: every failed write emits 'error' again.
  const stdout = new EventEmitter();
  const stderr = recording();
  const guard = new StdStreamGuard(stdout, stderr);
  guard.useLogger(createLogger({ telegraf: true, write: (t) => guard.writeStderr(t) }));
  for (let i = 0; i < 3; i++) stdout.emit('error', Object.assign(new Error('ENOSPC: it failed, write'), { code: 'ENOSPC' }));
  await tick();
  assert.match(stderr.text, /^E! cannot write to stdout \(ENOSPC: it failed, write\); .* — free space on its disk or send stdout elsewhere\n$/);
  assert.equal(guard.exitCode(0), 1);
  assert.equal(guard.exitCode(2), 2);
});

test('stderr failing: nothing more is written to it, the run goes on, the exit status says it', async () => {
  const stderr = failing('EIO');
  const guard = new StdStreamGuard(recording(), stderr);
  assert.equal(guard.exitCode(0), 0);
  guard.writeStderr('first\n');
  await tick();
  guard.writeStderr('second\n');
  guard.writeStderr('third\n');
  await tick();
  assert.equal(stderr.writes, 1);
  assert.equal(guard.exitCode(0), 1);
});

test('the reader of stdout leaving (EPIPE) asks the run to stop, also a run that starts listening later', async () => {
  const stdout = failing('EPIPE');
  const stderr = recording();
  const guard = new StdStreamGuard(stdout, stderr);
  const stops: string[] = [];
  const unsubscribe = guard.onStdoutGone(() => stops.push('early'));
  stdout.write('x\n');
  await tick();
  assert.deepEqual(stops, ['early']);
  assert.equal(stderr.text, '', 'the stop request says it, not the guard');
  unsubscribe();
  guard.onStdoutGone(() => stops.push('late'));
  assert.deepEqual(stops, ['early', 'late']);
  assert.equal(guard.exitCode(0), 1);
});
