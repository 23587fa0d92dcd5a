import { FIRST_REPLY_KIND, PROBE_KIND_NAMES, PROBE_KIND_SLOTS, ProbeKind, type ProbeRecord } from '../packets/probe-record.js';
import type { ScanReason, ScanReport, WindowScans } from '../report/scan-report.js';
import type { Direction } from '../report/window-report.js';
import { decideScan, type Evidence } from './decide.js';
import * as P from './params.js';
import { destinationHash, hashWords, mix32, sourceHash } from './sketch.js';
import { exchange, matches, type ScanTableOptions, type ScanTableStats } from './scan-table-options.js';
import { SourceIndex } from './source-index.js';
import { SourceAdmission } from './admission.js';
import { ScanEntries } from './scan-entries.js';
import { HandshakePairs } from './handshake-pairs.js';

export type { AddressMatcher, ScanTableOptions, ScanTableStats } from './scan-table-options.js';
const [SERVER, CLIENT] = [0, 1];
const REASONS: readonly ScanReason[] = ['vertical', 'horizontal', 'mixed', 'stealth', 'failures'];

/**
 * Per-source scan evidence in a table of fixed size chosen at start: probes by kind, distinct ports, hosts
 * and targets (sketches), first and last seen, and the outcomes of its attempts where replies are seen. The
 * table is not cleared by windows, so slow scans add up as long as the source is remembered; when it is
 * full, the source with the least evidence among a small sample makes room, so a flood of one-packet
 * (spoofed) sources evicts its own kind and never a scanner. Nothing is allocated per packet.
 */
export class ScanTable {
  readonly capacity: number;
  private readonly maxScans: number;
  private readonly options: ScanTableOptions;
  private readonly index: SourceIndex;
  private readonly admission: SourceAdmission;
  private readonly pairs: HandshakePairs;
  /** The entry a newcomer would replace, -1 when it must be chosen again. */
  private candidate = -1;
  /** Every entry's state, in arrays fixed at construction. */
  private readonly s: ScanEntries;
  /** Entries active this window (each once), then those of the previous window. */
  private active: Int32Array;
  private previous: Int32Array;
  private activeCount = 0;
  private previousCount = 0;
  private used = 0;
  private hand = 0;
  private clock = 0;
  private readonly stats: Omit<ScanTableStats, 'sources' | 'capacity' | 'bytes'> = { evictions: 0, notAdmitted: 0, suppressed: 0, detections: 0 };
  private readonly evidence: Evidence = { ports: 0, privilegedPorts: 0, hosts: 0, stealth: 0, targets: 0, successes: 0, failures: 0, repliesSeen: false };

  constructor(options: ScanTableOptions) {
    const n = options.maxSources ?? P.DEFAULT_MAX_SOURCES;
    if (!Number.isInteger(n) || n < P.MIN_MAX_SOURCES || n > P.MAX_MAX_SOURCES) {
      throw new RangeError(`maxSources must be an integer from ${P.MIN_MAX_SOURCES} to ${P.MAX_MAX_SOURCES}, got ${n}`);
    }
    [this.capacity, this.options] = [n, options];
    this.maxScans = options.maxScansPerWindow ?? P.DEFAULT_MAX_SCANS_PER_WINDOW;
    this.index = new SourceIndex(n);
    this.admission = new SourceAdmission(n);
    this.pairs = new HandshakePairs(n * P.HANDSHAKE_PAIRS_PER_SOURCE);
    this.s = new ScanEntries(n);
    [this.active, this.previous] = [new Int32Array(n), new Int32Array(n)];
  }

  /** One probe or reply seen by the detector, with its direction and capture second. */
  observe(kind: ProbeKind, direction: Direction, r: ProbeRecord, seconds: number): void {
    if (kind >= FIRST_REPLY_KIND) {
      this.observeReply(kind, r, seconds);
      return;
    }
    const ignoreSrc = this.options.ignoreSources;
    const ignoreDst = this.options.ignoreDestinations;
    if ((ignoreSrc && matches(ignoreSrc, r, true)) || (ignoreDst && matches(ignoreDst, r, false))) {
      this.stats.suppressed++;
      return;
    }
    const host = destinationHash(r);
    const connectionSegment = kind === ProbeKind.Ack || kind === ProbeKind.Maimon;
    if (kind === ProbeKind.Syn) this.pairs.add(sourceHash(r), host);
    // Segments of a connection whose handshake was seen: not probes, and not worth a lookup.
    else if (connectionSegment && this.pairs.has(sourceHash(r), host)) return;
    // UDP is asked and answered with ports swapped (DNS, QUIC): an answer is its asker's success, held or not, never evidence.
    if (kind === ProbeKind.Udp && this.answers(r)) return;
    const e = this.entryOf(r, true, direction, seconds);
    if (e < 0) return; // not admitted (yet)
    // ACK and FIN+ACK segments belong to connections too: probes only from a source never in a handshake, to hosts it never opened.
    if (connectionSegment && ((this.s.flags[e]! & 8) !== 0 || this.s.peers.has(e, host))) return;
    this.s.kinds[e * PROBE_KIND_SLOTS + kind]++;
    this.touch(e, seconds);
    if (kind === ProbeKind.Syn) this.s.peers.add(e, host);
    else if (kind === ProbeKind.Udp) this.s.peers.add(e, exchange(host, r.dstPort, r.srcPort)); // a question it may be answered
    // The rules read counts that only grow when a sketch gains a bit (or a stealth probe arrives): decide then only.
    let fresh = kind === ProbeKind.Null || kind === ProbeKind.Xmas;
    if (kind !== ProbeKind.IcmpEcho) {
      const port = mix32(r.dstPort + (kind === ProbeKind.Udp ? 0x10000 : 0));
      fresh = this.s.ports.add(e, port) || fresh;
      if (r.dstPort < 1024) fresh = this.s.privilegedPorts.add(e, port) || fresh;
    }
    fresh = this.s.hosts.add(e, host) || fresh;
    fresh = this.s.targets.add(e, mix32(host ^ Math.imul(r.dstPort + 1, 0x9e3779b1))) || fresh;
    if (fresh && this.s.detectedAt[e] !== this.s.detectedAt[e]) this.decide(e, seconds);
  }

  /** A connection known from elsewhere (the host's own socket table): its segments are not probes, as after a seen handshake. */
  noteConnection(family: 4 | 6, a: Uint32Array, b: Uint32Array): void {
    this.pairs.add(hashWords(family, a), hashWords(family, b));
  }

  /** Whether `r` answers a question its destination asked (hosts and ports swapped); credited to the asker. */
  private answers(r: ProbeRecord): boolean {
    const [asker, from] = [this.entryOf(r, false, 'server', 0), sourceHash(r)];
    if (asker < 0 || !this.s.peers.has(asker, exchange(from, r.srcPort, r.dstPort))) return false;
    this.s.successes.add(asker, mix32(from ^ Math.imul(r.srcPort + 1, 0x9e3779b1)));
    this.s.flags[asker] = this.s.flags[asker]! | 4;
    return true;
  }

  /** Outcomes go to the prober's entry (the reply's destination); a SYN-ACK also marks its sender as one that talks. */
  private observeReply(kind: ProbeKind, r: ProbeRecord, seconds: number): void {
    const from = sourceHash(r);
    if (kind === ProbeKind.SynAck) {
      this.pairs.add(from, destinationHash(r));
      const replier = this.entryOf(r, true, 'server', seconds);
      if (replier >= 0) this.s.flags[replier] = this.s.flags[replier]! | 8;
    }
    const e = this.entryOf(r, false, 'server', seconds);
    if (e < 0) return;
    const target = mix32(from ^ Math.imul(r.srcPort + 1, 0x9e3779b1));
    const firstReply = (this.s.flags[e]! & 4) === 0;
    this.s.flags[e] = this.s.flags[e]! | 4;
    let fresh: boolean;
    if (kind === ProbeKind.SynAck) {
      fresh = this.s.successes.add(e, target);
      this.s.flags[e] = this.s.flags[e]! | 8;
    } else {
      fresh = this.s.failures.add(e, target);
    }
    if ((fresh || firstReply) && this.s.detectedAt[e] !== this.s.detectedAt[e]) this.decide(e, seconds);
  }

  private touch(e: number, seconds: number): void {
    this.s.windowProbes[e]++;
    this.s.touched[e] = ++this.clock;
    if (seconds > this.s.lastSeen[e]!) this.s.lastSeen[e] = seconds;
    if ((this.s.flags[e]! & 1) === 0) {
      this.s.flags[e] = this.s.flags[e]! | 1;
      this.active[this.activeCount++] = e;
    }
  }

  private decide(e: number, seconds: number): void {
    const ev = this.evidence;
    ev.ports = this.s.ports.estimate(e);
    ev.privilegedPorts = this.s.privilegedPorts.estimate(e);
    ev.hosts = this.s.hosts.estimate(e);
    ev.stealth = this.s.stealth(e);
    ev.targets = this.s.targets.estimate(e);
    ev.successes = this.s.successes.estimate(e);
    ev.failures = this.s.failures.estimate(e);
    ev.repliesSeen = (this.s.flags[e]! & 4) !== 0;
    const reason = decideScan(ev);
    if (reason === null) return;
    this.s.detectedAt[e] = seconds;
    this.s.reason[e] = REASONS.indexOf(reason);
    this.stats.detections++;
  }

  /**
   * The entry of the record's source (`source` true) or destination; created for a source when absent (a
   * full table first evicts the least evident of a sample), never for a destination (-1 then).
   */
  private entryOf(r: ProbeRecord, source: boolean, direction: Direction, seconds: number): number {
    const index = this.index;
    const hash = source ? index.load(r.family, r.src4, r.src6) : index.load(r.family, r.dst4, r.dst6);
    const found = index.findLoaded();
    if (!source) return found;
    const frequency = this.admission.see(hash);
    if (found >= 0) return found;
    let e: number;
    if (this.used < this.capacity) e = this.used++;
    else {
      // The eviction candidate is chosen once and kept across turned-away newcomers (re-chosen every 64): cheap under churn.
      if (this.candidate < 0 || (this.stats.notAdmitted & 63) === 63) this.candidate = this.victim();
      // TinyLFU: a newcomer seen no more often than the entry it would replace waits (its probes are not evidence yet).
      if (frequency <= this.admission.frequency(this.s.hashes[this.candidate]!)) {
        this.stats.notAdmitted++;
        return -1;
      }
      e = this.evict(this.candidate);
      this.candidate = -1;
    }
    index.insertLoaded(e);
    this.s.hashes[e] = hash;
    this.s.family[e] = r.family;
    this.s.direction[e] = direction === 'server' ? SERVER : CLIENT;
    this.s.firstSeen[e] = seconds;
    this.s.lastSeen[e] = seconds;
    return e;
  }

  /** The least evident of EVICTION_SAMPLE entries taken round-robin; of equals the least recently probed, so a
   * one-packet flood recycles every slot and a newcomer outlives `capacity` others (first-of-sample refilled one slot in eight). */
  private victim(): number {
    let victim = this.hand;
    let least = Number.POSITIVE_INFINITY;
    let oldest = -1;
    for (let i = 0; i < P.EVICTION_SAMPLE; i++) {
      const e = (this.hand + i) % this.capacity;
      const score = this.score(e) * 4 + ((this.s.flags[e]! & 1) !== 0 ? 2 : 0);
      const age = (this.clock - this.s.touched[e]!) >>> 0; // right across the 32-bit clock's wrap
      if (score < least || (score === least && age > oldest)) {
        least = score;
        oldest = age;
        victim = e;
      }
    }
    this.hand = (this.hand + P.EVICTION_SAMPLE) % this.capacity;
    return victim;
  }

  /** Frees and clears `victim` for a newcomer. */
  private evict(victim: number): number {
    this.stats.evictions++;
    this.index.remove(victim, this.s.hashes[victim]!);
    this.s.kinds.fill(0, victim * PROBE_KIND_SLOTS, (victim + 1) * PROBE_KIND_SLOTS);
    for (let i = 0; i < this.s.sketches.length; i++) this.s.sketches[i]!.clear(victim);
    this.s.detectedAt[victim] = Number.NaN;
    this.s.windowProbes[victim] = 0;
    // An evicted entry still listed as active is skipped at the window's close by its cleared flags.
    this.s.flags[victim] = 0;
    return victim;
  }

  /** Evidence for ranking and eviction: a detected scanner outranks any amount of undecided evidence. */
  private score(e: number): number {
    const detected = this.s.detectedAt[e] === this.s.detectedAt[e] ? 1 << 20 : 0;
    const stealth = this.s.stealth(e);
    return detected + this.s.ports.filled(e) + this.s.hosts.filled(e) + this.s.failures.filled(e) + 4 * Math.min(stealth, 64);
  }

  /** Ends a window: the scanners active in it (top N by evidence), those that went quiet, and counts by direction. */
  closeWindow(): WindowScans {
    const listed: number[] = [];
    const scanners = { server: 0, client: 0 };
    for (let i = 0; i < this.activeCount; i++) {
      const e = this.active[i]!;
      if ((this.s.flags[e]! & 1) === 0 || this.s.detectedAt[e] !== this.s.detectedAt[e]) continue; // evicted, or not a scanner
      if (this.s.direction[e] === SERVER) scanners.server++;
      else scanners.client++;
      listed.push(e);
    }
    listed.sort((a, b) => this.score(b) - this.score(a) || this.s.windowProbes[b]! - this.s.windowProbes[a]!);
    const scans = listed.slice(0, this.maxScans).map((e) => this.scanReport(e));
    const ended: ScanReport[] = [];
    for (let i = 0; i < this.previousCount && ended.length < this.maxScans; i++) {
      const e = this.previous[i]!;
      if ((this.s.flags[e]! & 3) === 2 && this.s.detectedAt[e] === this.s.detectedAt[e]) ended.push(this.scanReport(e));
    }
    // This window's active entries become the previous window's; flags shift so bit 1 means "active last window".
    for (let i = 0; i < this.previousCount; i++) this.s.flags[this.previous[i]!] = this.s.flags[this.previous[i]!]! & ~2;
    for (let i = 0; i < this.activeCount; i++) {
      const e = this.active[i]!;
      if ((this.s.flags[e]! & 1) === 0) continue;
      this.s.flags[e] = (this.s.flags[e]! & ~1) | 2;
      this.s.windowProbes[e] = 0;
    }
    [this.previous, this.active] = [this.active, this.previous];
    this.previousCount = this.activeCount;
    this.activeCount = 0;
    return { scans, scansOmitted: listed.length - scans.length, scansEnded: ended, scanners };
  }

  private scanReport(e: number): ScanReport {
    const words = this.index.keys.subarray(e * 4, e * 4 + 4);
    const kinds: string[] = [];
    for (let k = 1; k < FIRST_REPLY_KIND; k++) if (this.s.kinds[e * PROBE_KIND_SLOTS + k]! > 0) kinds.push(PROBE_KIND_NAMES[k]!);
    const report: ScanReport = {
      source: this.options.formatSource(this.s.family[e] as 4 | 6, words),
      direction: this.s.direction[e] === SERVER ? 'server' : 'client',
      reason: REASONS[this.s.reason[e]!]!,
      kinds,
      probes: this.s.windowProbes[e]!,
      ports: this.s.ports.estimate(e),
      hosts: this.s.hosts.estimate(e),
      firstSeen: new Date(this.s.firstSeen[e]! * 1000),
      lastSeen: new Date(this.s.lastSeen[e]! * 1000),
      detectedAt: new Date(this.s.detectedAt[e]! * 1000),
    };
    if ((this.s.flags[e]! & 16) === 0) {
      this.s.flags[e] = this.s.flags[e]! | 16;
      report.new = true;
    }
    return report;
  }

  getStats(): ScanTableStats {
    return { sources: this.used, capacity: this.capacity, ...this.stats, bytes: this.bytes };
  }

  /** Memory held by the table: all of it allocated at construction. */
  get bytes(): number {
    return this.index.bytes + this.admission.bytes + this.pairs.bytes + this.active.byteLength + this.previous.byteLength + this.s.bytes;
  }
}
