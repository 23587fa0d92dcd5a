import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createInfluxDbSink } from '../../src/sinks/influxdb-sink.js';
import { outputCounterStamp } from '../../src/sinks/output-counters.js';
import { PENG_INSTRUMENTS } from '../../src/sinks/otel/instruments.js';
import { createJsonSink } from '../../src/sinks/json-sink.js';
import { freePort } from '../support/free-port.js';
import { windowReport } from '../support/reports.js';
import { silentLogger } from '../../src/log.js';

test('InfluxDB lines dropped while no server listens are stamped on the next reports, as per-window deltas, and exported', async () => {
  const port = await freePort(); // nothing listens there: every write fails and waits in the small buffer
  const influx = await createInfluxDbSink({
    url: 'http://127.0.0.1', port, org: 'o', bucket: 'b', token: 't', log: silentLogger,
    maxBufferLines: 3, closeTimeoutMs: 200, retry: { minDelayMs: 5_000, maxDelayMs: 5_000 },
  });
  const stamp = outputCounterStamp([createJsonSink(process.stderr), influx]);
  const start = Date.UTC(2024, 0, 1);
  const deltas: number[] = [];
  try {
    for (let i = 0; i < 10; i++) {
      const report = windowReport({ endMs: start + i * 60_000 });
      stamp(report);
      deltas.push(report.outputs!.influxdbDroppedLines!);
      influx.write(report);
      await influx.idle();
    }
    const last = windowReport({ endMs: start + 10 * 60_000 });
    stamp(last);
    deltas.push(last.outputs!.influxdbDroppedLines!);
    assert.ok(influx.droppedLines >= 10 - 3, `dropped ${influx.droppedLines}`);
    assert.equal(deltas.reduce((a, b) => a + b, 0), influx.droppedLines, 'deltas add up to the total');
    assert.ok(deltas.every((d) => d >= 0));
    const instrument = PENG_INSTRUMENTS.find((i) => i.name === 'peng.influxdb.dropped_lines')!;
    assert.equal(instrument.kind, 'counter');
    assert.equal(instrument.read(last), deltas.at(-1));
    assert.equal(instrument.read(windowReport({ endMs: start })), undefined, 'no InfluxDB output, no series');
  } finally {
    await influx.close();
  }
});

test('without an InfluxDB output the reports carry no output counters', () => {
  const stamp = outputCounterStamp([createJsonSink(process.stderr)]);
  const report = windowReport({ endMs: Date.UTC(2024, 0, 1) });
  stamp(report);
  assert.equal(report.outputs, undefined);
});
