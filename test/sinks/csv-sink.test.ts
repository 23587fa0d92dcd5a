import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createCsvSink, CSV_HEADER } from '../../src/sinks/csv-sink.js';
import { windowReport } from '../support/reports.js';

const dir = mkdtempSync(join(tmpdir(), 'peng-csv-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** One run of Peng with `-export path`: a sink opened, windows written, closed. */
async function run(path: string, windows: Array<{ endMs: number; clientEntropy: number; serverEntropy: number }>): Promise<void> {
  const sink = createCsvSink(path);
  for (const w of windows) await sink.write(windowReport(w));
  await sink.close();
}

test('a new file gets the seed header, then one row per window: end time (ISO, UTC), client, server', async () => {
  const path = join(dir, 'new.csv');
  await run(path, [
    { endMs: Date.UTC(2026, 10, 25, 1, 9, 50), clientEntropy: 0, serverEntropy: 0.43590558771 },
    { endMs: Date.UTC(2026, 10, 25, 1, 10, 50, 250), clientEntropy: 2, serverEntropy: 1.5 },
  ]);
  assert.equal(CSV_HEADER, 'time,client,server\n');
  assert.equal(readFileSync(path, 'utf8'), 'time,client,server\n2026-11-25T01:09:50.000Z,0,0.43590558771\n2026-11-25T01:10:50.250Z,2,1.5\n');
});

test('later runs append their rows below the first run, the header stays once', async () => {
  const path = join(dir, 'appended.csv');
  await run(path, [{ endMs: 1_000, clientEntropy: 0.25, serverEntropy: 0 }]);
  await run(path, [{ endMs: 2_000, clientEntropy: 0.5, serverEntropy: 0.125 }]);
  await run(path, []);
  await run(path, [{ endMs: 3_000, clientEntropy: 1, serverEntropy: 2 }]);
  const lines = readFileSync(path, 'utf8').split('\n');
  assert.deepEqual(lines, ['time,client,server', '1970-01-01T00:00:01.000Z,0.25,0', '1970-01-01T00:00:02.000Z,0.5,0.125', '1970-01-01T00:00:03.000Z,1,2', '']);
});

test('a run that writes no window still leaves a file with the header, so the next run does not add one', async () => {
  const path = join(dir, 'empty-run.csv');
  await run(path, []);
  assert.equal(readFileSync(path, 'utf8'), CSV_HEADER);
  await run(path, [{ endMs: 1_000, clientEntropy: 0, serverEntropy: 0 }]);
  assert.equal(readFileSync(path, 'utf8'), `${CSV_HEADER}1970-01-01T00:00:01.000Z,0,0\n`);
});

test('an existing non-empty file is appended to as it is, without a header', async () => {
  const path = join(dir, 'existing.csv');
  writeFileSync(path, 'earlier,data\n');
  await run(path, [{ endMs: 1_000, clientEntropy: 0, serverEntropy: 1 }]);
  assert.equal(readFileSync(path, 'utf8'), 'earlier,data\n1970-01-01T00:00:01.000Z,0,1\n');
});

test('a path that cannot be opened fails at creation, naming the file and the reason', () => {
  const path = join(dir, 'no-such-dir', 'out.csv');
  assert.throws(() => createCsvSink(path), { message: `cannot open CSV file ${path}: ENOENT; check the path and its permissions` });
});

const ROW = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,[\d.e-]+,[\d.e-]+$/;

test('a file ending mid-row (an earlier run cut off) gets the next row on a line of its own', async () => {
  const file = join(dir, 'cut.csv');
  writeFileSync(file, CSV_HEADER + '2023-11-14T22:13:20.000Z,0,0.5\n2023-11-14T22:13:21.000Z,0,0.2');
  const sink = createCsvSink(file);
  sink.write(windowReport({ endMs: Date.UTC(2023, 10, 14, 22, 13, 22), serverEntropy: 0.25 }));
  await sink.close();
  const lines = readFileSync(file, 'utf8').split('\n');
  assert.deepEqual(lines.slice(2), ['2023-11-14T22:13:21.000Z,0,0.2', '2023-11-14T22:13:22.000Z,0,0.25', '']);
});

test('a file ending in a newline is appended as it is, with one header', async () => {
  const file = join(dir, 'whole.csv');
  for (let run = 0; run < 2; run++) {
    const sink = createCsvSink(file);
    sink.write(windowReport({ endMs: Date.UTC(2023, 10, 14, 22, 13, 20 + run) }));
    await sink.close();
  }
  const lines = readFileSync(file, 'utf8').split('\n');
  assert.equal(lines[0] + '\n', CSV_HEADER);
  assert.equal(lines.length, 4);
  assert.ok(lines.slice(1, 3).every((l) => ROW.test(l)), lines.join('|'));
});
