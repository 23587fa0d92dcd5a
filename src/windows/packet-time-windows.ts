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
}

/**
 * The replay clock: windows follow packet time, the first starting at the first frame. Every window up to
 * the frame at hand is closed, empty ones included, before the frame is counted.
 */
export class PacketTimeWindows implements FrameConsumer {
  /** Gaps longer than this many empty windows are treated as a damaged timestamp, not reported window by window. */
  static readonly MAX_EMPTY_WINDOWS = 100_000;
  /** Times beyond what a Date can hold (±8.64e18 µs) are damage: window arithmetic there loses all precision. */
  static readonly MAX_TIME_MICROS = 8.64e18;

  readonly anomalies: PacketTimeAnomalies = { outOfOrder: 0, timeJumps: 0, badTimestamps: 0 };
  private readonly target: WindowTarget;
  private readonly timeFrame: number;
  /** Current window in microseconds, NaN before the first frame. */
  private windowStart = Number.NaN;
  private windowEnd = Number.NaN;
  /** Whole seconds [from, to) that lie entirely inside the current window: frames there need no clock work. */
  private insideFromSecond = Number.POSITIVE_INFINITY;
  private insideToSecond = Number.NEGATIVE_INFINITY;

  constructor(target: WindowTarget, timeFrameMicros: number) {
    this.target = target;
    this.timeFrame = timeFrameMicros;
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
    this.target.closeWindow(this.windowStart, this.windowEnd, partial);
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
      this.setWindow(timeMicros, timeMicros + this.timeFrame);
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
    let start = this.windowStart;
    let end = this.windowEnd;
    while (timeMicros >= end) {
      this.target.closeWindow(start, end, false);
      start = end;
      end += this.timeFrame;
    }
    this.setWindow(start, end);
  }

  private restartAt(timeMicros: number): void {
    this.anomalies.timeJumps++;
    this.target.closeWindow(this.windowStart, this.windowEnd, false);
    this.setWindow(timeMicros, timeMicros + this.timeFrame);
  }

  private setWindow(startMicros: number, endMicros: number): void {
    this.windowStart = startMicros;
    this.windowEnd = endMicros;
    const started = startMicros === startMicros;
    this.insideFromSecond = started ? Math.ceil(startMicros / 1e6) : Number.POSITIVE_INFINITY;
    this.insideToSecond = started ? Math.floor(endMicros / 1e6) : Number.NEGATIVE_INFINITY;
  }
}
