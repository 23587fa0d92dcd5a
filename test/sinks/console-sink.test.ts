import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { WindowReport } from '../../src/report/window-report.js';
import { createConsoleSink, goTimeString } from '../../src/sinks/console-sink.js';
import { windowReport } from '../support/reports.js';

// The console prints local time, as the seed does; these tests pin the zone (Node applies TZ at once).
process.env.TZ = 'UTC';

/** The original's window, as its README shows it: ending 2026-11-25 01:09:50 UTC, a 1024..4500 scan. */
const END = Date.UTC(2026, 10, 25, 1, 9, 50);
const TIME = '[2026-11-25 01:09:50 +0000 UTC]';

function scanReport(extra: Partial<Pick<WindowReport, 'partial'>> = {}): WindowReport {
  return {
    ...windowReport({
      endMs: END,
      interface: 'eth0',
      serverEntropy: 0.43590558771,
      serverSyns: 3477,
      clientSyns: 3,
      frames: 5000,
      malformed: 2,
      server: { binEntropies: [0, 0.5, 1, 2], bitsSetPerBin: [0, 12, 32, 64], bitsSet: 108 },
      client: { binEntropies: [0, 0, 0, 0.125], bitsSetPerBin: [0, 0, 0, 3], bitsSet: 3 },
    }),
    ...extra,
  };
}

/** Everything the sink writes for `reports`, as one string. */
async function printed(options: { verbose: number; linePrefix?: string }, reports: WindowReport[]): Promise<string> {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const sink = createConsoleSink({ ...options, out });
  for (const r of reports) await sink.write(r);
  await sink.close();
  return text;
}

test('verbose 1: the original two lines per window, client first, six decimals', async () => {
  assert.equal(await printed({ verbose: 1 }, [scanReport()]), `${TIME} [CLIENT] total entropy: 0.000000\n${TIME} [SERVER] total entropy: 0.435906\n`);
});

test('verbose 2: each direction adds its per-bin entropies after its total, then the probes seen by kind', async () => {
  assert.equal(
    await printed({ verbose: 2 }, [scanReport()]),
    [
      `${TIME} [CLIENT] total entropy: 0.000000`,
      `${TIME} [CLIENT] bin entropies: 0.000000 0.000000 0.000000 0.125000`,
      `${TIME} [SERVER] total entropy: 0.435906`,
      `${TIME} [SERVER] bin entropies: 0.000000 0.500000 1.000000 2.000000`,
      `${TIME} [CLIENT] probes: syn 3`,
      `${TIME} [SERVER] probes: syn 3477`,
      '',
    ].join('\n'),
  );
});

test('verbose 3: bits set per bin with the SYN count, then the capture counters; a partial window says so', async () => {
  const lines = [
    `${TIME} [CLIENT] total entropy: 0.000000`,
    `${TIME} [CLIENT] bin entropies: 0.000000 0.000000 0.000000 0.125000`,
    `${TIME} [CLIENT] bits set per bin: 0 0 0 3 (syn packets: 3)`,
    `${TIME} [SERVER] total entropy: 0.435906`,
    `${TIME} [SERVER] bin entropies: 0.000000 0.500000 1.000000 2.000000`,
    `${TIME} [SERVER] bits set per bin: 0 12 32 64 (syn packets: 3477)`,
    `${TIME} [CLIENT] probes: syn 3`,
    `${TIME} [SERVER] probes: syn 3477`,
    `${TIME} [CAPTURE] eth0 frames: 5000 syn: 3480 malformed: 2`,
  ];
  assert.equal(await printed({ verbose: 3 }, [scanReport()]), lines.join('\n') + '\n');
  const partial = await printed({ verbose: 3 }, [scanReport({ partial: true })]);
  assert.equal(partial.split('\n').at(-2), `${TIME} [CAPTURE] eth0 frames: 5000 syn: 3480 malformed: 2 (partial window)`);
});

test('the Telegraf prefix starts every line at every verbosity, and nothing else changes', async () => {
  for (const verbose of [1, 2, 3]) {
    const plain = await printed({ verbose }, [scanReport(), scanReport()]);
    const prefixed = await printed({ verbose, linePrefix: 'I! ' }, [scanReport(), scanReport()]);
    const lines = prefixed.split('\n');
    assert.equal(lines.pop(), '', 'ends with a newline, no prefixed empty line after it');
    assert.ok(lines.length >= 4);
    assert.ok(lines.every((l) => l.startsWith(`I! ${TIME} [`)), `verbose ${verbose}: ${prefixed}`);
    assert.equal(prefixed.replace(/^I! /gm, ''), plain);
  }
});

test('times are Go time.Time strings in local time: fraction without trailing zeros, numeric offset, zone name', () => {
  assert.equal(goTimeString(new Date(END)), '2026-11-25 01:09:50 +0000 UTC');
  assert.equal(goTimeString(new Date(END + 500)), '2026-11-25 01:09:50.5 +0000 UTC');
  assert.equal(goTimeString(new Date(END + 125)), '2026-11-25 01:09:50.125 +0000 UTC');
  process.env.TZ = 'America/New_York';
  try {
    assert.equal(goTimeString(new Date(END)), '2026-11-24 20:09:50 -0500 EST');
    assert.equal(goTimeString(new Date(Date.UTC(2026, 6, 1, 12))), '2026-07-01 08:00:00 -0400 EDT');
  } finally {
    process.env.TZ = 'UTC';
  }
});

test('a partial window says so at every verbosity, with where it began (the time on every line is the window end)', async () => {
  const text = await printed({ verbose: 1 }, [scanReport({ partial: true })]);
  const lines = text.trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[2]!, new RegExp(`^${TIME.replace(/[[\]().+]/g, '\\$&')} \\[WINDOW\\] partial window since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d`));
  assert.equal((await printed({ verbose: 1 }, [scanReport()])).includes('[WINDOW]'), false);
});
