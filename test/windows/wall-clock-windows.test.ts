import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Detector } from '../../src/detector/detector.js';
import { LocalAddresses } from '../../src/net/local-addresses.js';
import { WallClockWindows, wallClockConsumer, type WindowClock } from '../../src/windows/wall-clock-windows.js';
import type { WindowTarget } from '../../src/windows/window-target.js';
import type { WindowReport } from '../../src/report/window-report.js';
import { LinkType } from '../../src/packets/syn-record.js';
import { tcpFrame } from '../../support/frames.js';

/**
 * A hand-driven clock: time moves only when the test says, and timers fire only from `advance`. Timers
 * run on a monotonic count, as Node's do, so stepping the wall clock does not move them.
 */
class FakeClock implements WindowClock {
  private timers = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;
  private monotonic = 0;
  /** Every delay the windows asked for, in order. */
  readonly delays: number[] = [];
  constructor(public time: number) {}
  now(): number {
    return this.time;
  }
  setTimer(callback: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.delays.push(delayMs);
    this.timers.set(id, { at: this.monotonic + delayMs, callback });
    return id;
  }
  clearTimer(timer: unknown): void {
    this.timers.delete(timer as number);
  }
  get pending(): number {
    return this.timers.size;
  }
  /** Moves time forward by `ms`, firing due timers in order; `lateBy` delays each firing, as a busy loop does. */
  advance(ms: number, lateBy = 0): void {
    const until = this.monotonic + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at + lateBy <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      const firesAt = Math.max(this.monotonic, due[1].at + lateBy);
      this.time += firesAt - this.monotonic;
      this.monotonic = firesAt;
      due[1].callback();
    }
    this.time += until - this.monotonic;
    this.monotonic = until;
  }
  /** Moves time without firing anything: the event loop is blocked. */
  block(ms: number): void {
    this.time += ms;
    this.monotonic += ms;
  }
  /** Fires every due timer now (the blocked loop resumes). */
  resume(): void {
    this.advance(0);
  }
  /** Sets the wall clock (NTP step, manual date change); timers are unaffected. */
  step(toMs: number): void {
    this.time = toMs;
  }
}

interface Closed {
  start: number;
  end: number;
  partial: boolean;
}

function recorder(): Pick<WindowTarget, 'closeWindow'> & { closed: Closed[] } {
  const closed: Closed[] = [];
  return {
    closed,
    closeWindow: (start, end, partial) => closed.push({ start: start / 1000, end: end / 1000, partial }),
  };
}

const T0 = 1_700_000_000_000; // a multiple of every frame used here, in ms
const SECOND = 1_000_000; // µs

test('windows end on multiples of the time frame; the first one is partial', () => {
  const clock = new FakeClock(T0 + 250);
  const target = recorder();
  const windows = new WallClockWindows({ timeFrameMicros: SECOND, targets: [target], clock });
  windows.start();
  clock.advance(3000);
  assert.deepEqual(target.closed, [
    { start: T0 + 250, end: T0 + 1000, partial: true },
    { start: T0 + 1000, end: T0 + 2000, partial: false },
    { start: T0 + 2000, end: T0 + 3000, partial: false },
  ]);
  assert.deepEqual(clock.delays.slice(0, 2), [750, 1000]);
});

test('a start exactly on a boundary gives a full first window', () => {
  const clock = new FakeClock(T0);
  const target = recorder();
  new WallClockWindows({ timeFrameMicros: SECOND, targets: [target], clock }).start();
  clock.advance(1000);
  assert.deepEqual(target.closed, [{ start: T0, end: T0 + 1000, partial: false }]);
});

test('timers that fire late do not drift the boundaries: each delay is measured to the absolute next boundary', () => {
  const clock = new FakeClock(T0 + 100);
  const target = recorder();
  new WallClockWindows({ timeFrameMicros: SECOND, targets: [target], clock }).start();
  clock.advance(10_000, 7); // every timer fires 7 ms late
  assert.equal(target.closed.length, 10);
  for (const [i, w] of target.closed.entries()) assert.equal(w.end, T0 + (i + 1) * 1000, `window ${i} ends on the boundary`);
  assert.ok(clock.delays.slice(1).every((d) => d === 993), `re-armed for the remaining time: ${clock.delays.join(',')}`);
});

test('a timer that fires early closes nothing and re-arms for the rest', () => {
  const clock = new FakeClock(T0 + 500);
  const target = recorder();
  const windows = new WallClockWindows({ timeFrameMicros: SECOND, targets: [target], clock });
  windows.start();
  clock.block(499); // now 1 ms before the boundary
  windows.closeDue();
  assert.equal(target.closed.length, 0);
  clock.advance(1);
  assert.equal(target.closed.length, 1);
});

test('a blocked event loop closes every missed boundary in order, none merged or lost', () => {
  const clock = new FakeClock(T0 + 400);
  const target = recorder();
  const windows = new WallClockWindows({ timeFrameMicros: SECOND, targets: [target], clock });
  windows.start();
  clock.block(3_900); // T0 + 4300: boundaries 1000, 2000, 3000, 4000 missed
  clock.resume();
  assert.deepEqual(
    target.closed.map((w) => [w.start - T0, w.end - T0, w.partial]),
    [
      [400, 1000, true],
      [1000, 2000, false],
      [2000, 3000, false],
      [3000, 4000, false],
    ],
  );
  assert.equal(windows.anomalies.lateWindows, 3);
  clock.advance(700);
  assert.deepEqual(target.closed.at(-1), { start: T0 + 4000, end: T0 + 5000, partial: false });
});

test('stop() closes the current window as partial, cancels the timer and is idempotent', () => {
  const clock = new FakeClock(T0 + 100);
  const target = recorder();
  const windows = new WallClockWindows({ timeFrameMicros: SECOND, targets: [target], clock });
  windows.start();
  clock.advance(1_500);
  windows.stop();
  windows.stop();
  assert.deepEqual(target.closed, [
    { start: T0 + 100, end: T0 + 1000, partial: true },
    { start: T0 + 1000, end: T0 + 1600, partial: true },
  ]);
  assert.equal(clock.pending, 0);
  assert.equal(windows.nextBoundaryMicros, Number.POSITIVE_INFINITY);
});

test('stop() on a boundary closes that window whole and adds no empty one', () => {
  const clock = new FakeClock(T0 + 100);
  const target = recorder();
  const windows = new WallClockWindows({ timeFrameMicros: SECOND, targets: [target], clock });
  windows.start();
  clock.block(900);
  windows.stop();
  assert.deepEqual(target.closed, [{ start: T0 + 100, end: T0 + 1000, partial: true }]);
});

test('a clock stepped back ends the window where time last was and starts afresh', () => {
  const clock = new FakeClock(T0 + 100);
  const target = recorder();
  const windows = new WallClockWindows({ timeFrameMicros: SECOND, targets: [target], clock });
  windows.start();
  clock.advance(1_300); // T0 + 1400
  windows.closeDue();
  clock.step(T0 - 60_000); // NTP stepped back a minute
  windows.closeDue();
  assert.deepEqual(target.closed.at(-1), { start: T0 + 1000, end: T0 + 1400, partial: true });
  assert.equal(windows.anomalies.stepsBack, 1);
  clock.advance(1_000);
  assert.deepEqual(target.closed.at(-1), { start: T0 - 60_000, end: T0 - 59_000, partial: false });
});

test('a forward jump beyond MAX_MISSED_WINDOWS is one closed window and a restart, not millions', () => {
  const clock = new FakeClock(T0 + 100);
  const target = recorder();
  const windows = new WallClockWindows({ timeFrameMicros: SECOND, targets: [target], clock });
  windows.start();
  clock.block((WallClockWindows.MAX_MISSED_WINDOWS + 5) * 1000);
  clock.resume();
  assert.equal(target.closed.length, 1);
  assert.equal(windows.anomalies.jumpsForward, 1);
  clock.block(10);
  windows.stop();
  assert.deepEqual(target.closed.at(-1), { start: T0 + 100 + (WallClockWindows.MAX_MISSED_WINDOWS + 5) * 1000, end: T0 + 110 + (WallClockWindows.MAX_MISSED_WINDOWS + 5) * 1000, partial: true });
});

test('a time frame under 1 ms is refused', () => {
  assert.throws(() => new WallClockWindows({ timeFrameMicros: 999, targets: [] }), /at least 1ms/);
});

test('with a real Detector: frames stamped past a late boundary count in the next window; idle windows still report', () => {
  const clock = new FakeClock(T0 + 500);
  const reports: WindowReport[] = [];
  const detector = new Detector({
    bins: 16,
    size: 1024,
    interfaceName: 'veth0',
    localAddresses: LocalAddresses.parse(['198.51.100.2']),
    onReport: (r) => reports.push(r),
  });
  const closedHook: number[] = [];
  const windows = new WallClockWindows({ timeFrameMicros: SECOND, targets: [detector], clock, onWindowClosed: (_s, end) => closedHook.push(end) });
  const consumer = wallClockConsumer(windows, detector);
  const syn = (port: number): Uint8Array => tcpFrame({ link: 'ethernet', ipv4: { src: '192.0.2.1', dst: '198.51.100.2' }, tcp: { dstPort: port } });
  windows.start();
  for (const port of [22, 80, 443]) {
    const f = syn(port);
    consumer.onFrame(f, 0, f.length, LinkType.Ethernet, Math.floor(clock.now() / 1000), (clock.now() % 1000) * 1e6);
  }
  clock.block(600); // past the boundary, timer not yet run
  const late = syn(8080);
  consumer.onFrame(late, 0, late.length, LinkType.Ethernet, Math.floor(clock.now() / 1000), (clock.now() % 1000) * 1e6);
  clock.advance(2_000); // two idle windows... the second closes at T0 + 3000
  windows.stop();

  assert.deepEqual(
    reports.map((r) => [r.start.getTime() - T0, r.end.getTime() - T0, r.server.synPackets, r.partial ?? false]),
    [
      [500, 1000, 3, true],
      [1000, 2000, 1, false],
      [2000, 3000, 0, false],
      [3000, 3100, 0, true],
    ],
  );
  assert.equal(reports[0]!.interface, 'veth0');
  assert.deepEqual(closedHook, [1000, 2000, 3000, 3100].map((ms) => (T0 + ms) * 1000));
});
