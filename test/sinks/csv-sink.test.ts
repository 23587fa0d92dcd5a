import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CSV_HEADER, createCsvSink } from '../../src/sinks/csv-sink.js';
import { windowReport } from '../support/reports.js';

const dir = mkdtempSync(join(tmpdir(), 'peng-csv-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

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
