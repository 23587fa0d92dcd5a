import { PortBitmap, type PortHash } from '../engine/index.js';
import type { LocalAddresses } from '../net/local-addresses.js';
import { decodeSyn } from '../packets/decode-syn.js';
import { createSynRecord, DecodeResult } from '../packets/syn-record.js';
import type { Direction, DirectionReport, WindowReport } from '../report/window-report.js';

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
  onPort?: (direction: Direction, port: number) => void;
}

/** Decoder totals over the whole run, for the self-metrics. */
export interface DetectorTotals {
  frames: number;
  synPackets: number;
  malformed: number;
  /** Of the malformed frames: those whose link type Peng does not decode. */
  unsupportedLink: number;
}

/**
 * Classifies each connection-opening SYN as client or server traffic and feeds the two port bitmaps. It
 * keeps no clock: a window clock (packet time or wall clock) calls `closeWindow` with the window's bounds.
 */
export class Detector {
  readonly client: PortBitmap;
  readonly server: PortBitmap;
  readonly totals: DetectorTotals = { frames: 0, synPackets: 0, malformed: 0, unsupportedLink: 0 };
  private readonly record = createSynRecord();
  private readonly options: DetectorOptions;
  private local: LocalAddresses | null;
  private interfaceNow: string | null = null;

  private frames = 0;
  private synPackets = 0;
  private malformed = 0;
  private clientSyns = 0;
  private serverSyns = 0;

  constructor(options: DetectorOptions) {
    this.options = options;
    this.local = options.localAddresses;
    const shape = { bins: options.bins, size: options.size, ...(options.hash ? { hash: options.hash } : {}) };
    this.client = new PortBitmap(shape);
    this.server = new PortBitmap(shape);
  }

  /** Counts and classifies one frame in the current window. */
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
    } else if (r.family === 4 ? local.isLocal4(r.src4) : local.isLocal6(r.src6)) {
      direction = 'client'; // client wins: a SYN from this host to itself (loopback) is ours
    } else {
      direction = (r.family === 4 ? local.isLocal4(r.dst4) : local.isLocal6(r.dst6)) ? 'server' : null;
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

  /** Emits the window [startMicros, endMicros) and clears the bitmaps and counters. */
  closeWindow(startMicros: number, endMicros: number, partial: boolean): void {
    const report: WindowReport = {
      start: new Date(startMicros / 1000),
      end: new Date(endMicros / 1000),
      interface: this.options.interfaceName,
      client: directionReport(this.client, this.clientSyns),
      server: directionReport(this.server, this.serverSyns),
      capture: { frames: this.frames, synPackets: this.synPackets, malformed: this.malformed },
    };
    if (this.interfaceNow !== null) report.interfaceNow = this.interfaceNow;
    if (partial) report.partial = true;
    this.totals.frames += this.frames;
    this.totals.synPackets += this.synPackets;
    this.totals.malformed += this.malformed;
    this.frames = this.synPackets = this.malformed = this.clientSyns = this.serverSyns = 0;
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

function directionReport(bitmap: PortBitmap, synPackets: number): DirectionReport {
  const s = bitmap.summary();
  return { entropy: s.entropy, binEntropies: s.binEntropies, synPackets, bitsSet: s.bitsSet, bitsSetPerBin: s.bitsSetPerBin };
}
