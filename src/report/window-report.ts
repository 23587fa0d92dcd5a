/** Server: SYNs to this host (someone probes us). Client: SYNs from this host (we probe others). */
export type Direction = 'client' | 'server';

/** One direction's result for a finished window. */
export interface DirectionReport {
  /** Total entropy, 0..2: the seed's number. */
  entropy: number;
  /** Entropy of each bin, 0..2. */
  binEntropies: number[];
  /** Connection-opening SYNs counted in this direction in this window. */
  synPackets: number;
  /** Bits set in the bitmap at the window's end. */
  bitsSet: number;
  /** Bits set in each bin (console verbose 3). */
  bitsSetPerBin: number[];
}

/** Capture counters for one window. */
export interface CaptureCounters {
  /** Frames seen in the window. */
  frames: number;
  /** SYNs seen in the window, whatever their direction (includes those between two non-local hosts). */
  synPackets: number;
  /** Frames whose headers were truncated or inconsistent. */
  malformed: number;
  /** Frames dropped before Peng saw them; absent when the platform cannot tell. */
  dropped?: number;
}

/** The one record every sink consumes: a finished time window. */
export interface WindowReport {
  /** Window start, inclusive. */
  start: Date;
  /** Window end, exclusive. */
  end: Date;
  /** Network interface as configured, or the capture file's name. */
  interface: string;
  /** The interface's name now, present only when it was renamed during the run (`interface` keeps one series). */
  interfaceNow?: string;
  /** SYNs from this host: we probe others. */
  client: DirectionReport;
  /** SYNs to this host: someone probes us. */
  server: DirectionReport;
  capture: CaptureCounters;
  /** True when the window is shorter than the time frame (first live window, or cut by shutdown). */
  partial?: boolean;
}
