import { PortBitmap, type PortHash } from '../engine/index.js';
import type { LocalAddresses } from '../net/local-addresses.js';
import { decodeFrame } from '../packets/decode-frame.js';
import { FragmentTable, type FragmentCounts } from '../packets/fragment-table.js';
import {
  createProbeRecord, DecodeOutcome, FIRST_REPLY_KIND, MALFORMED_REASON_NAMES, MALFORMED_REASON_SLOTS, MalformedReason, PROBE_KIND_NAMES, PROBE_KIND_SLOTS, ProbeKind,
  type ProbeRecord,
} from '../packets/probe-record.js';
import type { Direction, DirectionReport, MalformedCounts, ProbeCounts, WindowReport } from '../report/window-report.js';

export interface DetectorOptions {
  bins: number;
  size: number;
  hash?: PortHash;
  /** Interface name or capture file name, copied into every report. */
  interfaceName: string;
  /** Addresses of this host; null means "every SYN is server traffic" (replay without --localAddresses). */
  localAddresses: LocalAddresses | null;
  /** Receives every finished window, in order. */
  onReport: (report: WindowReport) => void;
  /** Optional per-SYN hook (console verbose 3); keep it cheap. */
  onPort?: (direction: Direction, port: number, record: ProbeRecord, seconds: number) => void;
  /**
   * Bit `kind` set for each ProbeKind to count and pass to `onProbe` (probe-set.ts, `-probes`); default every
   * kind. Replay uses the live filter's mask so both count the same kinds; SYNs must stay in it (the bitmaps).
   */
  probeMask?: number;
  /** Optional per-probe hook (scan attribution): every probe and reply with its direction and time; the record is reused. */
  onProbe?: (kind: ProbeKind, direction: Direction, record: ProbeRecord, seconds: number) => void;
}

/** Decoder totals over the whole run, for the self-metrics. */
export interface DetectorTotals {
  frames: number;
  synPackets: number;
  malformed: number;
  /** Of the malformed frames: those whose link type Peng does not decode. */
  unsupportedLink: number;
  /** Malformed frames by reason. */
  malformedBy: MalformedCounts;
  /** Probes counted although a header was damaged where nothing they need was. */
  damaged: number;
  /** IP fragments of probes' datagrams and what reassembling their transport headers made of them. */
  fragments: FragmentCounts;
}

/** Counter slot of a direction: probes by kind are kept in one array, server first. */
const SERVER = 0;
const CLIENT = PROBE_KIND_SLOTS;

/**
 * Classifies each probe and reply as client or server traffic, counts them by kind, and feeds the seed's two
 * port bitmaps with connection-opening SYNs only. It keeps no clock: a window clock (packet time or wall
 * clock) calls `closeWindow` with the window's bounds.
 */
export class Detector {
  readonly client: PortBitmap;
  readonly server: PortBitmap;
  private readonly fragmentTable = new FragmentTable();
  readonly totals: DetectorTotals = {
    frames: 0, synPackets: 0, malformed: 0, unsupportedLink: 0, malformedBy: reasonCounts(new Uint32Array(MALFORMED_REASON_SLOTS)), damaged: 0, fragments: this.fragmentTable.counts,
  };
  private readonly record = createProbeRecord();
  private readonly options: DetectorOptions;
  private readonly probeMask: number;
  private local: LocalAddresses | null;
  private interfaceNow: string | null = null;

  /** Capture time of the frame at hand, whole seconds since the epoch. */
  private seconds = 0;
  private frames = 0;
  private synPackets = 0;
  private malformed = 0;
  private damaged = 0;
  /** Probes and replies of this window by direction and kind (see SERVER, CLIENT). */
  private readonly probes = new Uint32Array(2 * PROBE_KIND_SLOTS);
  private readonly malformedBy = new Uint32Array(MALFORMED_REASON_SLOTS);

  constructor(options: DetectorOptions) {
    this.options = options;
    this.local = options.localAddresses;
    this.probeMask = (options.probeMask ?? ~0) | (1 << ProbeKind.Syn);
    const shape = { bins: options.bins, size: options.size, ...(options.hash ? { hash: options.hash } : {}) };
    this.client = new PortBitmap(shape);
    this.server = new PortBitmap(shape);
  }

  /**
   * Counts and classifies one frame in the current window. `seconds` (whole seconds of the frame's capture
   * time) stamps what the probe hook sees and ages unfinished fragmented datagrams.
   */
  addFrame(data: Uint8Array, offset: number, length: number, linkType: number, seconds: number): void {
    this.frames++;
    this.seconds = seconds;
    let kind = decodeFrame(data, offset, length, linkType, this.record);
    // A fragment: counted (once per datagram) when it completes its transport header.
    if (kind === DecodeOutcome.Fragment) kind = this.fragmentTable.add(data, this.record, seconds);
    if (kind > 0) {
      if (this.record.damage !== 0) this.damaged++;
      this.classify(kind as ProbeKind);
    } else if (kind < 0) {
      this.malformed++;
      this.malformedBy[-kind]++;
    }
  }

  /**
   * Direction: a probe from this host is client traffic, one to it server traffic (client wins: a probe from
   * this host to itself is ours). A reply travels the other way, so its destination decides first.
   */
  private classify(kind: ProbeKind): void {
    if ((this.probeMask & (1 << kind)) === 0) return; // a kind -probes leaves out: a frame, nothing more
    const r = this.record;
    const local = this.local;
    let direction: Direction | null;
    if (local === null) {
      direction = kind < FIRST_REPLY_KIND ? 'server' : 'client';
    } else {
      const srcLocal = r.family === 4 ? local.isLocal4(r.src4) : local.isLocal6(r.src6);
      const dstLocal = r.family === 4 ? local.isLocal4(r.dst4) : local.isLocal6(r.dst6);
      if (kind < FIRST_REPLY_KIND) direction = srcLocal ? 'client' : dstLocal ? 'server' : null;
      else direction = dstLocal ? 'client' : srcLocal ? 'server' : null;
    }
    if (kind === ProbeKind.Syn) this.synPackets++;
    if (direction === null) return; // between two other hosts (mirror port, router): counted in capture totals only
    this.probes[(direction === 'server' ? SERVER : CLIENT) + kind]++;
    if (kind === ProbeKind.Syn) {
      (direction === 'server' ? this.server : this.client).addPort(r.dstPort);
      if (this.options.onPort) this.options.onPort(direction, r.dstPort, r, this.seconds);
    }
    if (this.options.onProbe) this.options.onProbe(kind, direction, r, this.seconds);
  }

  /** Emits the window [startMicros, endMicros) and clears the bitmaps and counters; `gapWindows` marks a gap record. */
  closeWindow(startMicros: number, endMicros: number, partial: boolean, gapWindows = 0): void {
    const report: WindowReport = {
      start: new Date(startMicros / 1000),
      end: new Date(endMicros / 1000),
      interface: this.options.interfaceName,
      client: directionReport(this.client, this.probes[CLIENT + ProbeKind.Syn]!),
      server: directionReport(this.server, this.probes[SERVER + ProbeKind.Syn]!),
      capture: { frames: this.frames, synPackets: this.synPackets, malformed: this.malformed, malformedBy: reasonCounts(this.malformedBy), damaged: this.damaged },
      probes: { server: kindCounts(this.probes, SERVER), client: kindCounts(this.probes, CLIENT) },
    };
    if (this.interfaceNow !== null) report.interfaceNow = this.interfaceNow;
    if (partial) report.partial = true;
    if (gapWindows > 0) report.gap = { windows: gapWindows };
    this.totals.frames += this.frames;
    this.totals.synPackets += this.synPackets;
    this.totals.malformed += this.malformed;
    this.totals.unsupportedLink += this.malformedBy[MalformedReason.UnsupportedLink]!;
    for (let i = 1; i < MALFORMED_REASON_SLOTS; i++) this.totals.malformedBy[MALFORMED_REASON_NAMES[i] as keyof MalformedCounts] += this.malformedBy[i]!;
    this.totals.damaged += this.damaged;
    this.frames = this.synPackets = this.malformed = this.damaged = 0;
    this.probes.fill(0);
    this.malformedBy.fill(0);
    this.client.clear();
    this.server.clear();
    this.options.onReport(report);
  }

  /** Replaces "this host" (live: the interface's addresses changed); applies from the next frame. */
  setLocalAddresses(local: LocalAddresses | null): void {
    this.local = local;
  }

  /** The watched interface was renamed: reports keep the configured name and carry the new one too. */
  setInterfaceNow(name: string): void {
    this.interfaceNow = name === this.options.interfaceName ? null : name;
  }

  /** The first invalid user-hash position seen, if any, for a one-time error report. */
  get hashProblem(): string | null {
    return this.client.hashProblem ?? this.server.hashProblem;
  }
}

function kindCounts(counts: Uint32Array, base: number): ProbeCounts {
  const out = {} as ProbeCounts;
  for (let kind = 1; kind < PROBE_KIND_SLOTS; kind++) out[PROBE_KIND_NAMES[kind] as keyof ProbeCounts] = counts[base + kind]!;
  return out;
}

function reasonCounts(counts: Uint32Array): MalformedCounts {
  const out = {} as MalformedCounts;
  for (let i = 1; i < MALFORMED_REASON_SLOTS; i++) out[MALFORMED_REASON_NAMES[i] as keyof MalformedCounts] = counts[i]!;
  return out;
}

function directionReport(bitmap: PortBitmap, synPackets: number): DirectionReport {
  const s = bitmap.summary();
  return { entropy: s.entropy, binEntropies: s.binEntropies, synPackets, bitsSet: s.bitsSet, bitsSetPerBin: s.bitsSetPerBin };
}
