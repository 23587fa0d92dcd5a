import { PROBE_KIND_SLOTS, ProbeKind } from '../packets/probe-record.js';
import * as P from './params.js';
import { SketchArray } from './sketch.js';

/** The scan table's per-entry state: one typed array (or sketch array) per field, all allocated at construction. */
export class ScanEntries {
  readonly hashes: Uint32Array;
  readonly family: Uint8Array;
  readonly direction: Uint8Array;
  readonly kinds: Uint32Array;
  readonly windowProbes: Uint32Array;
  readonly firstSeen: Float64Array;
  readonly lastSeen: Float64Array;
  /** Probe count (`clock`) at each entry's last probe: eviction's tie-break, oldest first. */
  readonly touched: Uint32Array;
  /** Seconds of detection, NaN while not (yet) a scanner. */
  readonly detectedAt: Float64Array;
  readonly reason: Uint8Array;
  /** Bit 0: active this window; bit 1: active the previous window; bit 2: replies seen; bit 3: in handshakes; bit 4: reported. */
  readonly flags: Uint8Array;
  readonly ports: SketchArray;
  readonly privilegedPorts: SketchArray;
  readonly hosts: SketchArray;
  readonly targets: SketchArray;
  readonly successes: SketchArray;
  readonly failures: SketchArray;
  readonly peers: SketchArray;
  /** All of the above, listed once: eviction clears them per packet under a flood, so no array literal there. */
  readonly sketches: readonly SketchArray[];

  constructor(n: number) {
    this.hashes = new Uint32Array(n);
    this.family = new Uint8Array(n);
    this.direction = new Uint8Array(n);
    this.kinds = new Uint32Array(n * PROBE_KIND_SLOTS);
    this.windowProbes = new Uint32Array(n);
    this.firstSeen = new Float64Array(n);
    this.lastSeen = new Float64Array(n);
    this.touched = new Uint32Array(n);
    this.detectedAt = new Float64Array(n).fill(Number.NaN);
    this.reason = new Uint8Array(n);
    this.flags = new Uint8Array(n);
    this.ports = new SketchArray(n, P.PORT_SKETCH_BITS);
    this.privilegedPorts = new SketchArray(n, P.PRIVILEGED_PORT_SKETCH_BITS);
    this.hosts = new SketchArray(n, P.HOST_SKETCH_BITS);
    this.targets = new SketchArray(n, P.TARGET_SKETCH_BITS);
    this.successes = new SketchArray(n, P.OUTCOME_SKETCH_BITS);
    this.failures = new SketchArray(n, P.OUTCOME_SKETCH_BITS);
    this.peers = new SketchArray(n, P.PEER_FILTER_BITS);
    this.sketches = [this.ports, this.privilegedPorts, this.hosts, this.targets, this.successes, this.failures, this.peers];
  }

  /** NULL and XMAS probes of entry `e`: segments no TCP connection carries. */
  stealth(e: number): number {
    return this.kinds[e * PROBE_KIND_SLOTS + ProbeKind.Null]! + this.kinds[e * PROBE_KIND_SLOTS + ProbeKind.Xmas]!;
  }

  /** Bytes held, all of it allocated at construction. */
  get bytes(): number {
    const arrays = [this.hashes, this.family, this.direction, this.kinds, this.windowProbes, this.firstSeen, this.lastSeen, this.touched, this.detectedAt, this.reason, this.flags];
    return arrays.reduce((n, a) => n + a.byteLength, 0) + this.sketches.reduce((n, s) => n + s.bytes, 0);
  }
}
