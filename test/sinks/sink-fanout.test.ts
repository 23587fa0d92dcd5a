import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WindowReport } from '../../src/report/window-report.js';
import type { Sink } from '../../src/sinks/sink.js';
import { SinkFanout } from '../../src/sinks/sink-fanout.js';
import { windowReport } from '../support/reports.js';

/** A sink that keeps the windows it was given and whether it was closed. */
class RecordingSink implements Sink {
  readonly windows: WindowReport[] = [];
  closed = false;
  constructor(readonly name: string) {}
  write(report: WindowReport): void {
    this.windows.push(report);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

interface ReportedError {
  sink: string;
  message: string;
  firstTime: boolean;
}

function fanoutOf(sinks: Sink[]): { fanout: SinkFanout; errors: ReportedError[] } {
  const errors: ReportedError[] = [];
  const fanout = new SinkFanout(sinks, (sink, error, firstTime) => errors.push({ sink: sink.name, message: error.message, firstTime }));
  return { fanout, errors };
}

const windows = [windowReport({ endMs: 60_000 }), windowReport({ endMs: 70_000 })];

test('a throwing sink and a rejecting async sink do not stop the sinks after them', async () => {
  const throwing: Sink = { name: 'throwing', write: () => { throw new Error('disk full'); }, close: async () => {} };
  const rejecting: Sink = { name: 'rejecting', write: async () => { throw new Error('connection refused'); }, close: async () => {} };
  const recording = new RecordingSink('recording');
  const { fanout, errors } = fanoutOf([throwing, rejecting, recording]);
  for (const w of windows) fanout.write(w);
  await fanout.close();

  assert.deepEqual(recording.windows, windows, 'every window reached the last sink, in order');
  assert.equal(recording.closed, true);
  assert.deepEqual([...fanout.failures], [['throwing', 2], ['rejecting', 2]]);
  assert.deepEqual(
    errors.map((e) => [e.sink, e.message, e.firstTime]),
    [
      ['throwing', 'disk full', true],
      ['throwing', 'disk full', false],
      ['rejecting', 'connection refused', true],
      ['rejecting', 'connection refused', false],
    ],
  );
});

test('a thrown non-Error value is reported as an Error carrying its text', async () => {
  const odd: Sink = { name: 'odd', write: () => { throw 'plain string'; }, close: async () => {} };
  const { fanout, errors } = fanoutOf([odd]);
  fanout.write(windows[0]!);
  await fanout.close();
  assert.deepEqual(errors, [{ sink: 'odd', message: 'plain string', firstTime: true }]);
});

test('close waits for pending asynchronous writes before closing any sink', async () => {
  const events: string[] = [];
  const slow: Sink = {
    name: 'slow',
    write: async (report) => {
      await sleep(50);
      events.push(`wrote ${report.end.getTime()}`);
    },
    close: async () => void events.push('closed slow'),
  };
  const fast: Sink = { name: 'fast', write: () => void events.push('fast'), close: async () => void events.push('closed fast') };
  const { fanout } = fanoutOf([slow, fast]);
  for (const w of windows) fanout.write(w);
  assert.deepEqual(events, ['fast', 'fast'], 'write returns without waiting for the slow sink');
  await fanout.close();
  assert.deepEqual(events, ['fast', 'fast', 'wrote 60000', 'wrote 70000', 'closed slow', 'closed fast']);
});

test('every sink is closed even when an earlier close throws; the failure is counted, close still resolves', async () => {
  const broken: Sink = { name: 'broken', write: () => {}, close: async () => { throw new Error('flush failed'); } };
  const first = new RecordingSink('first');
  const last = new RecordingSink('last');
  const { fanout, errors } = fanoutOf([first, broken, last]);
  fanout.write(windows[0]!);
  await fanout.close();
  assert.equal(first.closed, true);
  assert.equal(last.closed, true);
  assert.deepEqual(errors, [{ sink: 'broken', message: 'flush failed', firstTime: true }]);
  assert.equal(fanout.lost(), 1, 'a failed close counts as a loss');
});

test('lost() sums what each sink reports lost and the failed writes', async () => {
  const lossy = (name: string, lost: number): Sink => ({ name, write: () => {}, close: async () => {}, lost: () => lost });
  const failing: Sink = { name: 'failing', write: async () => { throw new Error('timeout'); }, close: async () => {} };
  const { fanout } = fanoutOf([lossy('influxdb', 3), lossy('otlp', 4), failing, new RecordingSink('console')]);
  assert.equal(fanout.lost(), 7, 'sinks may report losses before any write fails');
  for (const w of windows) fanout.write(w);
  await fanout.close();
  assert.equal(fanout.lost(), 3 + 4 + 2);
});

test('no sinks, or sinks that never fail: nothing lost, nothing reported', async () => {
  const { fanout: empty, errors: none } = fanoutOf([]);
  empty.write(windows[0]!);
  await empty.close();
  assert.equal(empty.lost(), 0);
  const recording = new RecordingSink('recording');
  const { fanout, errors } = fanoutOf([recording]);
  fanout.write(windows[0]!);
  await fanout.close();
  assert.equal(fanout.lost(), 0);
  assert.deepEqual([...none, ...errors], []);
  assert.equal(fanout.failures.size, 0);
});
