import { PortBitmap, type PortHash } from '../engine/index.js';
import { decodeSyn } from '../packets/decode-syn.js';
import { createSynRecord, DecodeResult } from '../packets/syn-record.js';
import { frameTimeMicros, type FrameConsumer } from '../packets/frame-consumer.js';
import type { LocalAddresses } from '../net/local-addresses.js';
import type { DirectionReport, WindowReport } from '../report/window-report.js';

export type Direction = 'client' | 'server';

export interface DetectorOptions {
  bins: number;
  size: number;
  hash?: PortHash;
  /** Window length in microseconds. */
  timeFrameMicros: number;
  /** Interface name or capture file name, copied into every report. */
  interfaceName: string;
  /** Addresses of this host; null means "every SYN is server traffic" (replay without --localAddresses). */
  localAddresses: LocalAddresses | null;
  /** Receives every finished window, in order. */
  onReport: (report: WindowReport) => void;
  /** Optional per-SYN hook (console verbose 3); keep it cheap. */
  onPort?: (direction: Direction, port: number) => void;
}

/**
 * Classifies each connection-opening SYN as client or server traffic, feeds the two port bitmaps and
 * closes windows. In replay, windows follow packet time (`onFrame`); live, a wall-clock timer calls
 * `closeWindow` and frames arrive through `addFrame`.
 */
export class Detector implements FrameConsumer {
  /** Gaps longer than this many empty windows are treated as a damaged timestamp, not reported window by window. */
  static readonly MAX_EMPTY_WINDOWS = 100_000;
  /** Times beyond what a Date can hold (±8.64e18 µs) are damage: window arithmetic there loses all precision. */
  static readonly MAX_TIME_MICROS = 8.64e18;

  readonly client: PortBitmap;
  readonly server: PortBitmap;
  private readonly record = createSynRecord();
  private readonly options: DetectorOptions;
  private readonly timeFrame: number;
  private local: LocalAddresses | null;

  private frames = 0;
  private synPackets = 0;
  private malformed = 0;
  private clientSyns = 0;
  private serverSyns = 0;

  /** Replay: current window start in microseconds, NaN before the first frame. */
  private windowStart = Number.NaN;
  private windowEnd = Number.NaN;
  /** Whole seconds [from, to) that lie entirely inside the current window: frames there need no clock work. Empty before the first frame. */
  private insideFromSecond = Number.POSITIVE_INFINITY;
  private insideToSecond = Number.NEGATIVE_INFINITY;

  /** Totals over the whole run, for the closing summary. */
  readonly totals = { frames: 0, synPackets: 0, malformed: 0, unsupportedLink: 0, outOfOrder: 0, timeJumps: 0, badTimestamps: 0 };

  constructor(options: DetectorOptions) {
    this.options = options;
    this.timeFrame = options.timeFrameMicros;
    this.local = options.localAddresses;
    const shape = { bins: options.bins, size: options.size, ...(options.hash ? { hash: options.hash } : {}) };
    this.client = new PortBitmap(shape);
    this.server = new PortBitmap(shape);
  }

  /** Replay path: a frame with its capture timestamp; closes every window that ended before it. */
  onFrame(data: Uint8Array, offset: number, length: number, linkType: number, seconds: number, nanoseconds: number): void {
    // Nearly every frame falls in a second wholly inside the window: integer compares decide (a fraction
    // of a second out of range, which only damage produces, takes the exact path too).
    if (seconds < this.insideFromSecond || seconds >= this.insideToSecond || nanoseconds >= 1e9) {
      this.tick(frameTimeMicros(seconds, nanoseconds));
    }
    this.addFrame(data, offset, length, linkType);
  }

  /** The exact clock check for frames near a window edge (and the first frame). */
  private tick(timeMicros: number): void {
    if (!(Math.abs(timeMicros) <= Detector.MAX_TIME_MICROS)) {
      // A timestamp no clock can hold: the frame counts in the current window, the clock stays put.
      this.totals.badTimestamps++;
      return;
    }
    if (timeMicros >= this.windowEnd) {
      this.advanceTo(timeMicros);
    } else if (this.windowStart !== this.windowStart) {
      // First frame of the run: window 0 starts here.
      this.setWindow(timeMicros, timeMicros + this.timeFrame);
    } else if (timeMicros < this.windowStart) {
      if (this.windowStart - timeMicros > Detector.MAX_EMPTY_WINDOWS * this.timeFrame) {
        // A far jump back is damage just as a far jump forward is: close this window, restart the clock.
        this.restartClock(timeMicros);
      } else {
        // Slightly reordered captures (several interfaces in one pcapng) land in the current window.
        this.totals.outOfOrder++;
      }
    }
  }

  /** Closes the current window and starts the clock again at `timeMicros` (a timestamp jump). */
  private restartClock(timeMicros: number): void {
    this.totals.timeJumps++;
    this.closeWindow(this.windowEnd, false);
    this.setWindow(timeMicros, timeMicros + this.timeFrame);
  }

  private setWindow(startMicros: number, endMicros: number): void {
    this.windowStart = startMicros;
    this.windowEnd = endMicros;
    const started = startMicros === startMicros;
    this.insideFromSecond = started ? Math.ceil(startMicros / 1e6) : Number.POSITIVE_INFINITY;
    this.insideToSecond = started ? Math.floor(endMicros / 1e6) : Number.NEGATIVE_INFINITY;
  }

  /** Counts and classifies one frame without touching the window clock. */
  addFrame(data: Uint8Array, offset: number, length: number, linkType: number): void {
    this.frames++;
    const result = decodeSyn(data, offset, length, linkType, this.record);
    if (result === DecodeResult.Syn) {
      this.synPackets++;
      this.classify();
    } else if (result === DecodeResult.Malformed) {
      this.malformed++;
    } else if (result === DecodeResult.UnsupportedLink) {
      this.malformed++;
      this.totals.unsupportedLink++;
    }
  }

  private classify(): void {
    const r = this.record;
    const local = this.local;
    let direction: Direction | null;
    if (local === null) {
      direction = 'server';
    } else {
      const srcLocal = r.family === 4 ? local.isLocal4(r.src4) : local.isLocal6(r.src6);
      if (srcLocal) {
        direction = 'client';
      } else {
        const dstLocal = r.family === 4 ? local.isLocal4(r.dst4) : local.isLocal6(r.dst6);
        direction = dstLocal ? 'server' : null;
      }
    }
    if (direction === 'server') {
      this.serverSyns++;
      this.server.addPort(r.dstPort);
    } else if (direction === 'client') {
      this.clientSyns++;
      this.client.addPort(r.dstPort);
    } else {
      return; // a SYN between two other hosts (mirror port, router): counted in capture totals only
    }
    if (this.options.onPort) this.options.onPort(direction, r.dstPort);
  }

  /** Closes every window that ends at or before `timeMicros` (replay clock). */
  private advanceTo(timeMicros: number): void {
    const gap = Math.floor((timeMicros - this.windowEnd) / this.timeFrame);
    if (gap > Detector.MAX_EMPTY_WINDOWS) {
      // A timestamp far in the future is more likely damage than a real gap.
      this.restartClock(timeMicros);
      return;
    }
    let end = this.windowEnd;
    while (timeMicros >= end) {
      this.closeWindow(end, false);
      this.windowStart = end; // closeWindow takes the next window's start from here
      end += this.timeFrame;
    }
    this.setWindow(this.windowStart, end);
  }

  /**
   * Emits the current window as [windowStart, endMicros) and clears the bitmaps. The live clock calls
   * this with its own boundaries; `start` overrides the window start when the caller owns the clock.
   */
  closeWindow(endMicros: number, partial: boolean, startMicros: number = this.windowStart): void {
    const report: WindowReport = {
      start: new Date(startMicros / 1000),
      end: new Date(endMicros / 1000),
      interface: this.options.interfaceName,
      client: directionReport(this.client, this.clientSyns),
      server: directionReport(this.server, this.serverSyns),
      capture: { frames: this.frames, synPackets: this.synPackets, malformed: this.malformed },
    };
    if (partial) report.partial = true;
    this.totals.frames += this.frames;
    this.totals.synPackets += this.synPackets;
    this.totals.malformed += this.malformed;
    this.frames = this.synPackets = this.malformed = this.clientSyns = this.serverSyns = 0;
    this.client.clear();
    this.server.clear();
    this.options.onReport(report);
  }

  /** End of a replay: reports the last window with its full length (marked partial when the replay was interrupted). No frames means no windows. */
  finish(partial = false): void {
    if (this.windowStart === this.windowStart) {
      this.closeWindow(this.windowEnd, partial);
      this.setWindow(Number.NaN, Number.NaN);
    }
  }

  /** Live clock: starts a window at `startMicros` (the first, possibly partial, window). */
  startWindowAt(startMicros: number): void {
    this.setWindow(startMicros, Number.POSITIVE_INFINITY);
  }

  /** Replaces "this host" (live: the interface's addresses changed); applies from the next frame. */
  setLocalAddresses(local: LocalAddresses | null): void {
    this.local = local;
  }

  /** The first invalid user-hash position seen, if any, for a one-time error report. */
  get hashProblem(): string | null {
    return this.client.hashProblem ?? this.server.hashProblem;
  }
}

function directionReport(bitmap: PortBitmap, synPackets: number): DirectionReport {
  const s = bitmap.summary();
  return { entropy: s.entropy, binEntropies: s.binEntropies, synPackets, bitsSet: s.bitsSet, bitsSetPerBin: s.bitsSetPerBin };
}
