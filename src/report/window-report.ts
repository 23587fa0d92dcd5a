import type { WindowScans } from './scan-report.js';

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

/** Probes and replies of one direction in a window, by kind (see the README's probe table). */
export interface ProbeCounts {
  syn: number;
  fin: number;
  null: number;
  xmas: number;
  maimon: number;
  ack: number;
  udp: number;
  icmpEcho: number;
  synAck: number;
  rst: number;
  icmpUnreachable: number;
}

/** Malformed frames by reason: a 0 everywhere means nothing was seen, not that Peng was blind. */
export interface MalformedCounts {
  /** The capture ends inside a needed header. */
  truncated: number;
  /** A header contradicts itself. */
  badHeader: number;
  /** More nested VLAN tags, tunnels, labels or extension headers than the bound. */
  tunnelTooDeep: number;
  /** A link type Peng does not decode. */
  unsupportedLink: number;
  /** A first fragment too short for the transport header. */
  fragmentTooShort: number;
}

/** Capture counters for one window. */
export interface CaptureCounters {
  /** Frames seen in the window. */
  frames: number;
  /** SYNs seen in the window, whatever their direction (includes those between two non-local hosts). */
  synPackets: number;
  /** Frames whose headers were truncated or inconsistent. */
  malformed: number;
  /** The same, by reason. */
  malformedBy: MalformedCounts;
  /** Probes counted although a header was damaged where nothing they need was (Mirai's TCP options). */
  damaged: number;
  /** Frames dropped before Peng saw them; absent when the platform cannot tell. */
  dropped?: number;
}

/** The one record every sink consumes: a finished time window (with scan attribution's fields when it runs). */
export interface WindowReport extends Partial<WindowScans> {
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
  /** Probes and replies by kind: to this host (server) and from it (client). The seed's SYNs are among them. */
  probes: { server: ProbeCounts; client: ProbeCounts };
  /** True when the window is shorter than the time frame (first live window, or cut by shutdown). */
  partial?: boolean;
  /**
   * Present on a gap record: [start, end) spans `windows` consecutive windows in which nothing was seen, reported
   * as this one record instead of one each (replay of sparse captures); every count in it is 0.
   */
  gap?: { windows: number };
}
