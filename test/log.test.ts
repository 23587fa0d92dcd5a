import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLogger, formatLogLines, LogRateLimit, rateLimited } from '../src/log.js';
import { buildRoot } from '../support/paths.js';

function collect(options: { telegraf?: boolean; debug?: boolean } = {}) {
  const out: string[] = [];
  const log = createLogger({ ...options, write: (text) => out.push(text) });
  return { log, out };
}

test('with line protocol on, messages carry the E!/W!/I!/D! prefixes Telegraf maps to log levels', () => {
  const { log, out } = collect({ telegraf: true, debug: true });
  log.error('capture failed');
  log.warn('InfluxDB away');
  log.info('started');
  log.debug('details');
  assert.deepEqual(out, ['E! capture failed\n', 'W! InfluxDB away\n', 'I! started\n', 'D! details\n']);
});

test('otherwise messages read `peng: ...`, warnings say so, debug is off unless asked for', () => {
  const { log, out } = collect();
  log.error('interface eth9 not found; available: lo, eth0');
  log.warn('buffer full');
  log.info('started');
  log.debug('hidden');
  assert.deepEqual(out, ['peng: interface eth9 not found; available: lo, eth0\n', 'peng: warning: buffer full\n', 'peng: started\n']);
});

test('every line of a multi-line message gets the prefix, so Telegraf keeps its level', () => {
  assert.equal(formatLogLines('error', 'Error: boom\n    at x\n    at y\n', true), 'E! Error: boom\nE!     at x\nE!     at y\n');
});

test('control characters from hostile input cannot forge lines or move the cursor', () => {
  const text = formatLogLines('warn', 'file \u001b[2Jname\rE! fake', true);
  assert.equal(text, 'W! file ?[2Jname?E! fake\n');
});

test('logs go to stderr and never to stdout', () => {
  const url = pathToFileURL(join(buildRoot, 'src', 'log.js')).href;
  const code = `import { createLogger } from ${JSON.stringify(url)}; const l = createLogger({ telegraf: true }); l.error('e'); l.warn('w'); l.info('i');`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(result.stdout, '');
  assert.equal(result.stderr, 'E! e\nW! w\nI! i\n');
});

test('rate limit: a burst passes, the rest of the interval is counted, the count rides on the next message', () => {
  let now = 0;
  const limit = new LogRateLimit({ burst: 2, intervalMs: 1_000, now: () => now });
  assert.equal(limit.take(), 0);
  assert.equal(limit.take(), 0);
  assert.equal(limit.take(), -1);
  assert.equal(limit.take(), -1);
  assert.equal(limit.suppressed, 2);
  now = 1_000;
  assert.equal(limit.take(), 2);
  assert.equal(limit.suppressed, 0);
});

test('rateLimited logger: floods become one line with the number suppressed', () => {
  let now = 0;
  const { log, out } = collect({ telegraf: true });
  const limited = rateLimited(log, { burst: 1, intervalMs: 60_000, now: () => now });
  for (let i = 0; i < 1_000; i++) limited.warn(`malformed frame ${i}`);
  assert.deepEqual(out, ['W! malformed frame 0\n']);
  now = 60_000;
  limited.warn('malformed frame 1000');
  assert.deepEqual(out.slice(1), ['W! malformed frame 1000 (999 similar messages suppressed)\n']);
  limited.warn('dropped');
  limited.flushSuppressed();
  assert.deepEqual(out.slice(2), ['W! 1 similar messages suppressed (limit 1 per 60 s)\n']);
});

test('rate limit settings that would silence everything are refused', () => {
  assert.throws(() => new LogRateLimit({ burst: 0, intervalMs: 1 }), RangeError);
  assert.throws(() => new LogRateLimit({ burst: 1, intervalMs: 0 }), RangeError);
});
