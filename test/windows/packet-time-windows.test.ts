import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalAddresses } from '../../src/net/local-addresses.js';
import { PacketTimeWindows } from '../../src/windows/packet-time-windows.js';
import { linkTypeOf } from '../../support/frames.js';
import { feed, replayPipeline as detector, SECOND, syn } from '../support/replay-pipeline.js';

const LOCAL4 = '192.0.2.10';

test('replay windows follow packet time from the first frame; empty windows are reported; the last at end of file', () => {
  const { d, reports } = detector(LocalAddresses.parse([LOCAL4]));
  const t0 = 1_700_000_000 * SECOND + 123_456;
  const frame = syn('203.0.113.5', LOCAL4, 1024);
  feed(d, frame, t0); // window 0
  feed(d, frame, t0 + 10 * SECOND - 1); // still window 0 (end exclusive)
  feed(d, frame, t0 + 10 * SECOND); // window 1 starts exactly here
  feed(d, frame, t0 + 35 * SECOND); // window 3; window 2 is empty
  d.finish();
  assert.deepEqual(
    reports.map((r) => [r.start.getTime() * 1000 - t0, r.end.getTime() * 1000 - t0, r.server.synPackets, r.capture.frames]),
    [
      [0 - 456, 10 * SECOND - 456, 2, 2],
      [10 * SECOND - 456, 20 * SECOND - 456, 1, 1],
      [20 * SECOND - 456, 30 * SECOND - 456, 0, 0],
      [30 * SECOND - 456, 40 * SECOND - 456, 1, 1],
    ].map(([s, e, n, f]) => [s, e, n, f]),
  );
  // Dates hold milliseconds: the microsecond remainder is cut the same way for start and end.
  assert.equal(reports[2]!.server.entropy, 0);
  // The bitmap was cleared between windows: one port, one bit, in every non-empty window.
  assert.deepEqual(reports.map((r) => r.server.bitsSet), [1, 1, 0, 1]);
});

test('a frame older than its window counts in the current window and is tallied as out of order', () => {
  const { d, reports } = detector(null);
  feed(d, syn('192.0.2.1', '192.0.2.2', 1), 100 * SECOND);
  feed(d, syn('192.0.2.1', '192.0.2.2', 2), 115 * SECOND);
  feed(d, syn('192.0.2.1', '192.0.2.2', 3), 105 * SECOND);
  d.finish();
  assert.deepEqual(reports.map((r) => r.server.synPackets), [1, 2]);
  assert.equal(d.anomalies.outOfOrder, 1);
});

test('a timestamp jump of more than MAX_EMPTY_WINDOWS restarts the clock instead of emitting millions of windows', () => {
  const { d, reports } = detector(null, SECOND);
  feed(d, syn('192.0.2.1', '192.0.2.2', 1), 0);
  feed(d, syn('192.0.2.1', '192.0.2.2', 2), 1e9 * SECOND);
  feed(d, syn('192.0.2.1', '192.0.2.2', 3), 1e9 * SECOND + 2 * SECOND);
  d.finish();
  assert.equal(d.anomalies.timeJumps, 1);
  assert.deepEqual(reports.map((r) => r.server.synPackets), [1, 1, 0, 1]);
  assert.equal(reports[1]!.start.getTime(), 1e9 * 1000);
});

test('no frames, no windows', () => {
  const { d, reports } = detector(null);
  d.finish();
  assert.equal(reports.length, 0);
});

test('timestamps beyond any date are counted, never looped on, and the frames still counted', () => {
  const { d, reports } = detector(null, SECOND);
  const frame = syn('192.0.2.1', '192.0.2.2', 80);
  // 2^32 seconds * 2^32 would be ~1.8e25 µs: window arithmetic there cannot advance.
  d.onFrame(frame, 0, frame.length, linkTypeOf.ethernet, 2 ** 64, 0);
  feed(d, frame, 100 * SECOND);
  d.onFrame(frame, 0, frame.length, linkTypeOf.ethernet, 1.8e19, 0);
  d.onFrame(frame, 0, frame.length, linkTypeOf.ethernet, Number.NaN, 0);
  feed(d, frame, 101 * SECOND);
  d.finish();
  assert.equal(d.anomalies.badTimestamps, 2); // NaN (only a library caller can pass it) stays in the window at hand
  assert.deepEqual(reports.map((r) => r.server.synPackets), [4, 1]);
  assert.ok(reports.every((r) => Number.isFinite(r.start.getTime()) && Number.isFinite(r.end.getTime())));
});

test('a far jump back restarts the clock like a far jump forward, instead of folding everything into one window', () => {
  const { d, reports } = detector(null, 60 * SECOND);
  const frame = syn('192.0.2.1', '192.0.2.2', 80);
  feed(d, frame, 4_102_444_800 * SECOND); // 2100-01-01: one damaged first frame
  for (let i = 0; i < 5; i++) feed(d, frame, 1_700_000_000 * SECOND + i * 60 * SECOND);
  d.finish();
  assert.equal(d.anomalies.timeJumps, 1);
  assert.deepEqual(reports.map((r) => r.server.synPackets), [1, 1, 1, 1, 1, 1]);
  assert.equal(reports[1]!.start.getTime(), 1_700_000_000_000);
});

test('a fraction of a second out of range (damage) is placed by its exact time, the same way every time', () => {
  const { d, reports } = detector(null, SECOND);
  const frame = syn('192.0.2.1', '192.0.2.2', 80);
  d.onFrame(frame, 0, frame.length, linkTypeOf.ethernet, 1000, 500_000_000);
  d.onFrame(frame, 0, frame.length, linkTypeOf.ethernet, 1001, 2_000_000_000); // = 1003 s
  d.onFrame(frame, 0, frame.length, linkTypeOf.ethernet, 1003, 600_000_000);
  d.finish();
  assert.deepEqual(reports.map((r) => [r.start.getTime(), r.server.synPackets]), [
    [1_000_500, 1],
    [1_001_500, 0],
    [1_002_500, 1],
    [1_003_500, 1],
  ]);
});

test('a run of more than MAX_SEPARATE_EMPTY_WINDOWS empty windows is one gap record saying from, to and how many', () => {
  const { d, reports } = detector(null, SECOND);
  const frame = syn('192.0.2.1', '192.0.2.2', 80);
  feed(d, frame, 1000 * SECOND);
  feed(d, frame, 1003 * SECOND); // 2 empty windows: reported one by one
  feed(d, frame, 1100 * SECOND); // 96 empty windows: one gap
  d.finish();
  assert.deepEqual(
    reports.map((r) => [r.start.getTime() / 1000, r.end.getTime() / 1000, r.server.synPackets, r.gap?.windows ?? 0]),
    [
      [1000, 1001, 1, 0],
      [1001, 1002, 0, 0],
      [1002, 1003, 0, 0],
      [1003, 1004, 1, 0],
      [1004, 1100, 0, 96],
      [1100, 1101, 1, 0],
    ],
  );
  assert.equal(d.anomalies.gaps, 1);
  assert.equal(PacketTimeWindows.MAX_SEPARATE_EMPTY_WINDOWS, 5);
});

test('timestamps that cycle far forward and back make a bounded number of reports per frame', () => {
  const { d, reports } = detector(null, SECOND);
  const frame = syn('192.0.2.1', '192.0.2.2', 80);
  const x = 1_600_000_000 * SECOND;
  const cycle = [x, x + 100_000 * SECOND, x + 200_001 * SECOND];
  let frames = 0;
  for (let i = 0; i < 3000; i++, frames++) feed(d, frame, cycle[i % 3]!);
  d.finish();
  // Each frame closes at most its window and one gap (a jump back restarts the clock): never thousands of windows.
  assert.ok(reports.length <= 2 * frames + 1, `${reports.length} reports for ${frames} frames`);
  assert.equal(reports.reduce((n, r) => n + r.server.synPackets, 0), frames);
});

test('aligned replay windows (-alignWindows) start on multiples of the time frame since the epoch; the first is partial', () => {
  const { d, reports } = detector(LocalAddresses.parse([LOCAL4]), 10 * SECOND, { align: true });
  const boundary = 1_700_000_000 * SECOND; // a multiple of 10 s
  const frame = syn('203.0.113.5', LOCAL4, 1024);
  feed(d, frame, boundary + 3_500_000); // 3.5 s into the window [boundary, boundary + 10 s)
  feed(d, frame, boundary + 10 * SECOND); // the next window starts exactly at the boundary
  feed(d, frame, boundary + 31 * SECOND); // one empty window between
  d.finish();
  assert.deepEqual(
    reports.map((r) => [r.start.getTime() * 1000 - boundary, r.end.getTime() * 1000 - boundary, r.server.synPackets, r.partial === true]),
    [
      [0, 10 * SECOND, 1, true],
      [10 * SECOND, 20 * SECOND, 1, false],
      [20 * SECOND, 30 * SECOND, 0, false],
      [30 * SECOND, 40 * SECOND, 1, false],
    ],
  );
  // A frame exactly on a boundary starts a whole window; a restart after a damaged timestamp is aligned too.
  const exact = detector(null, 10 * SECOND, { align: true });
  feed(exact.d, frame, boundary);
  feed(exact.d, frame, boundary + 1e9 * SECOND + 7 * SECOND);
  exact.d.finish();
  assert.equal(exact.d.anomalies.timeJumps, 1);
  assert.deepEqual(
    exact.reports.map((r) => [r.start.getTime() * 1000 - boundary, r.partial === true]),
    [
      [0, false],
      [1e9 * SECOND, true],
    ],
  );
});

test('aligned replays of two disjoint halves add up, window by window, to the replay of the whole', () => {
  const boundary = 1_700_000_000 * SECOND;
  const times = Array.from({ length: 60 }, (_, i) => boundary + 2_345_678 + i * 733_000); // 44 s, cut mid-window
  const run = (part: number[]) => {
    const { d, reports } = detector(LocalAddresses.parse([LOCAL4]), 10 * SECOND, { align: true });
    part.forEach((t, i) => feed(d, syn('203.0.113.5', LOCAL4, 1000 + i), t));
    d.finish();
    return reports;
  };
  const whole = run(times);
  const sums = new Map<number, number>();
  for (const r of [...run(times.slice(0, 27)), ...run(times.slice(27))]) sums.set(r.end.getTime(), (sums.get(r.end.getTime()) ?? 0) + r.server.synPackets);
  assert.deepEqual([...sums], whole.map((r) => [r.end.getTime(), r.server.synPackets]));
  assert.equal(whole.length, 5);
  // Unaligned, the second half's windows would start at its own first frame and fall between the first's.
  const unaligned = detector(null, 10 * SECOND);
  feed(unaligned.d, syn('203.0.113.5', LOCAL4, 1), times[27]!);
  unaligned.d.finish();
  assert.notEqual(unaligned.reports[0]!.end.getTime() % 10_000, 0);
});
