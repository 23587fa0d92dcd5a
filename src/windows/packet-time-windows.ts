import { frameTimeMicros, type FrameConsumer } from '../packets/frame-consumer.js';
import type { WindowTarget } from './window-target.js';

/** Replay clock anomalies, counted over the run. */
export interface PacketTimeAnomalies {
  /** Frames older than their window's start (several interfaces in one pcapng): counted in the current window. */
  outOfOrder: number;
  /** Jumps of more than MAX_EMPTY_WINDOWS windows, forward or back: the clock restarted there. */
  timeJumps: number;
  /** Timestamps beyond what a Date can hold: counted in the window at hand, the clock stays put. */
  badTimestamps: number;
  /** Runs of more than MAX_SEPARATE_EMPTY_WINDOWS empty windows, each reported as one gap record. */
  gaps: number;
}

/** How the replay clock places its windows. */
export interface PacketTimeWindowsOptions {
  /**
   * Windows on multiples of the time frame since the epoch, as live capture's are (`-alignWindows`): the
   * first window (and the first after a time jump) starts at the boundary before its frame and is partial.
   * Backfilled series then line up with live ones, and processes replaying disjoint captures add up.
   */
  align?: boolean;
}

/**
 * The replay clock: windows follow packet time, the first starting at the first frame (or at the epoch
 * boundary before it, aligned). Every window up to the frame at hand is closed, empty ones included, before
 * the frame is counted.
 */
export class PacketTimeWindows implements FrameConsumer {
  /** Gaps longer than this many empty windows are treated as a damaged timestamp, not reported window by window. */
  static readonly MAX_EMPTY_WINDOWS = 100_000;
  /** Times beyond what a Date can hold (±8.64e18 µs) are damage: window arithmetic there loses all precision. */
  static readonly MAX_TIME_MICROS = 8.64e18;
  /**
   * Empty windows reported one by one before a run of them becomes one gap record. A time series needs its
   * zeros (a quiet host is not a dead one), but a capture whose frames lie years apart must not flood every
   * output: five keeps a zero on each side of a short pause, and bounds the reports a frame can cause at
   * six (its own window, five empty ones, or one gap), whatever the timestamps do.
   */
  static readonly MAX_SEPARATE_EMPTY_WINDOWS = 5;

  readonly anomalies: PacketTimeAnomalies = { outOfOrder: 0, timeJumps: 0, badTimestamps: 0, gaps: 0 };
  private readonly target: WindowTarget;
  private readonly timeFrame: number;
  /** Current window in microseconds, NaN before the first frame. */
  private windowStart = Number.NaN;
  private windowEnd = Number.NaN;
  /** Whole seconds [from, to) that lie entirely inside the current window: frames there need no clock work. */
  private insideFromSecond = Number.POSITIVE_INFINITY;
  private insideToSecond = Number.NEGATIVE_INFINITY;
  private readonly align: boolean;
  /** The current window started at an aligned boundary before its first frame: it is reported partial. */
  private startsLate = false;

  constructor(target: WindowTarget, timeFrameMicros: number, options: PacketTimeWindowsOptions = {}) {
    this.target = target;
    this.timeFrame = timeFrameMicros;
    this.align = options.align === true;
  }

  onFrame(data: Uint8Array, offset: number, length: number, linkType: number, seconds: number, nanoseconds: number): void {
    // Nearly every frame falls in a second wholly inside the window: integer compares decide (a fraction
    // of a second out of range, which only damage produces, takes the exact path too).
    if (seconds < this.insideFromSecond || seconds >= this.insideToSecond || nanoseconds >= 1e9) {
      this.tick(frameTimeMicros(seconds, nanoseconds));
    }
    this.target.addFrame(data, offset, length, linkType, seconds);
  }

  /** End of the input: closes the last window with its full length (partial when the replay was interrupted). */
  finish(partial = false): void {
    if (this.windowStart !== this.windowStart) return; // no frame, no window
    this.target.closeWindow(this.windowStart, this.windowEnd, partial || this.startsLate);
    this.setWindow(Number.NaN, Number.NaN);
  }

  /** The exact clock check for frames near a window edge (and the first frame). */
  private tick(timeMicros: number): void {
    if (!(Math.abs(timeMicros) <= PacketTimeWindows.MAX_TIME_MICROS)) {
      this.anomalies.badTimestamps++;
      return;
    }
    if (timeMicros >= this.windowEnd) {
      this.advanceTo(timeMicros);
    } else if (this.windowStart !== this.windowStart) {
      this.startAt(timeMicros);
    } else if (timeMicros < this.windowStart) {
      if (this.windowStart - timeMicros > PacketTimeWindows.MAX_EMPTY_WINDOWS * this.timeFrame) {
        this.restartAt(timeMicros); // a far jump back is damage just as a far jump forward is
      } else {
        this.anomalies.outOfOrder++;
      }
    }
  }

  /** Closes every window that ends at or before `timeMicros`. */
  private advanceTo(timeMicros: number): void {
    if (Math.floor((timeMicros - this.windowEnd) / this.timeFrame) > PacketTimeWindows.MAX_EMPTY_WINDOWS) {
      this.restartAt(timeMicros); // a timestamp far in the future is more likely damage than a real gap
      return;
    }
    this.target.closeWindow(this.windowStart, this.windowEnd, this.startsLate);
    this.startsLate = false;
    let start = this.windowEnd;
    const empty = Math.floor((timeMicros - start) / this.timeFrame);
    if (empty > PacketTimeWindows.MAX_SEPARATE_EMPTY_WINDOWS) {
      this.anomalies.gaps++;
      this.target.closeWindow(start, start + empty * this.timeFrame, false, empty);
      start += empty * this.timeFrame;
    } else {
      for (let i = 0; i < empty; i++, start += this.timeFrame) this.target.closeWindow(start, start + this.timeFrame, false);
    }
    this.setWindow(start, start + this.timeFrame);
  }

  private restartAt(timeMicros: number): void {
    this.anomalies.timeJumps++;
    this.target.closeWindow(this.windowStart, this.windowEnd, this.startsLate);
    this.startAt(timeMicros);
  }

  /** The first window, or the first after a jump: at the frame, or at the epoch-aligned boundary before it. */
  private startAt(timeMicros: number): void {
    const start = this.align ? Math.floor(timeMicros / this.timeFrame) * this.timeFrame : timeMicros;
    this.startsLate = start !== timeMicros;
    this.setWindow(start, start + this.timeFrame);
  }

  private setWindow(startMicros: number, endMicros: number): void {
    this.windowStart = startMicros;
    this.windowEnd = endMicros;
    const started = startMicros === startMicros;
    this.insideFromSecond = started ? Math.ceil(startMicros / 1e6) : Number.POSITIVE_INFINITY;
    this.insideToSecond = started ? Math.floor(endMicros / 1e6) : Number.NEGATIVE_INFINITY;
  }
}
