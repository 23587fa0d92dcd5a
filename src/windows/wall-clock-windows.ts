import { frameTimeMicros, type FrameConsumer } from '../packets/frame-consumer.js';
import type { WindowTarget } from './window-target.js';

/** The clock and timer the windows run on; injectable so tests can drive time by hand. */
export interface WindowClock {
  /** Wall-clock time in milliseconds since the epoch. */
  now(): number;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(timer: unknown): void;
}

export const systemClock: WindowClock = {
  now: () => Date.now(),
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

export interface WallClockWindowsOptions {
  /** Window length in microseconds (at least 1 ms). */
  timeFrameMicros: number;
  /** Detectors that share this clock (one per interface); all close at the same boundaries. */
  targets: readonly Pick<WindowTarget, 'closeWindow'>[];
  clock?: WindowClock;
  /** Called once per closed window, after every target has closed it (re-read addresses, log...). */
  onWindowClosed?: (startMicros: number, endMicros: number, partial: boolean) => void;
}

/**
 * Live windows on the wall clock, aligned to multiples of the time frame since the epoch (like
 * Telegraf's round_interval) so hosts line up. The first window runs from start to the next boundary
 * and is partial. The timer is armed for the absolute next boundary, so nothing drifts; when the event
 * loop is late, every missed boundary is closed in order, each as its own window.
 */
export class WallClockWindows {
  /** More missed boundaries than this is a clock jump (suspend, manual set), not a late event loop. */
  static readonly MAX_MISSED_WINDOWS = 10_000;

  private readonly timeFrame: number;
  private readonly targets: readonly Pick<WindowTarget, 'closeWindow'>[];
  private readonly clock: WindowClock;
  private readonly onWindowClosed: WallClockWindowsOptions['onWindowClosed'];

  private windowStart = 0;
  private nextBoundary = Number.POSITIVE_INFINITY;
  private latestNow = 0;
  private timer: unknown = null;
  private running = false;

  /** Clock anomalies seen: forward jumps beyond MAX_MISSED_WINDOWS, and steps backwards. */
  readonly anomalies = { jumpsForward: 0, stepsBack: 0, lateWindows: 0 };

  constructor(options: WallClockWindowsOptions) {
    if (!(options.timeFrameMicros >= 1000) || !Number.isFinite(options.timeFrameMicros)) {
      throw new RangeError(`time frame must be at least 1ms, got ${options.timeFrameMicros}µs`);
    }
    this.timeFrame = options.timeFrameMicros;
    this.targets = options.targets;
    this.clock = options.clock ?? systemClock;
    this.onWindowClosed = options.onWindowClosed;
  }

  /** The boundary that ends the current window, in microseconds; +Infinity when stopped. */
  get nextBoundaryMicros(): number {
    return this.nextBoundary;
  }

  /** Starts the first (partial unless started exactly on a boundary) window now and arms the timer. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.begin(this.clock.now() * 1000);
    this.arm();
  }

  /**
   * Closes every window whose boundary is at or before `nowMicros`, in order. The timer calls it; a
   * frame stamped past the boundary calls it too, so frames land in their window even when the timer is late.
   */
  closeDue(nowMicros: number = this.clock.now() * 1000): void {
    if (!this.running) return;
    if (nowMicros < this.windowStart) {
      // The clock stepped back: end the current window where time last was, and restart from here.
      this.anomalies.stepsBack++;
      this.close(this.windowStart, Math.max(this.windowStart, this.latestNow), true);
      this.begin(nowMicros);
      return;
    }
    this.latestNow = Math.max(this.latestNow, nowMicros);
    if (nowMicros < this.nextBoundary) return;
    const missed = Math.floor((nowMicros - this.nextBoundary) / this.timeFrame);
    if (missed > WallClockWindows.MAX_MISSED_WINDOWS) {
      this.anomalies.jumpsForward++;
      this.close(this.windowStart, this.nextBoundary, this.isPartial(this.windowStart, this.nextBoundary));
      this.begin(nowMicros);
      return;
    }
    if (missed > 0) this.anomalies.lateWindows += missed;
    while (nowMicros >= this.nextBoundary) {
      const start = this.windowStart;
      const end = this.nextBoundary;
      this.windowStart = end;
      this.nextBoundary = end + this.timeFrame;
      this.close(start, end, this.isPartial(start, end));
    }
  }

  /** Closes what is due, then the current window as partial (shutdown). Idempotent. */
  stop(): void {
    if (!this.running) return;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    const now = this.clock.now() * 1000;
    this.closeDue(now);
    this.running = false;
    this.nextBoundary = Number.POSITIVE_INFINITY;
    // A window of zero length (stopped exactly on a boundary) has nothing to report.
    if (now > this.windowStart) this.close(this.windowStart, now, true);
  }

  private begin(startMicros: number): void {
    const aligned = Math.floor(startMicros / this.timeFrame) * this.timeFrame;
    this.windowStart = startMicros;
    this.latestNow = startMicros;
    this.nextBoundary = aligned + this.timeFrame;
  }

  private isPartial(start: number, end: number): boolean {
    return end - start < this.timeFrame;
  }

  private close(start: number, end: number, partial: boolean): void {
    for (const target of this.targets) target.closeWindow(start, end, partial);
    this.onWindowClosed?.(start, end, partial);
  }

  private arm(): void {
    const now = this.clock.now() * 1000;
    // At most one frame ahead, so a clock stepped back is noticed within a window.
    const delayMicros = Math.min(Math.max(this.nextBoundary - now, 0), this.timeFrame);
    this.timer = this.clock.setTimer(() => this.onTimer(), Math.ceil(delayMicros / 1000));
  }

  private onTimer(): void {
    this.timer = null;
    if (!this.running) return;
    try {
      this.closeDue();
    } finally {
      // A failing report consumer must not stop the clock.
      if (this.running) this.arm();
    }
  }
}

/**
 * A live capture's consumer: closes due windows first when a frame is stamped past the boundary (the
 * timer may be late under load), then counts the frame in the current window.
 */
export function wallClockConsumer(windows: WallClockWindows, target: Pick<WindowTarget, 'addFrame'>): FrameConsumer {
  return {
    onFrame(data, offset, length, linkType, seconds, nanoseconds) {
      const timeMicros = frameTimeMicros(seconds, nanoseconds);
      if (timeMicros >= windows.nextBoundaryMicros) windows.closeDue(timeMicros);
      target.addFrame(data, offset, length, linkType, seconds);
    },
  };
}
