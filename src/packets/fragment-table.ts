import { classifyReassembled, NOT_YET, REASSEMBLY_BYTES } from './reassembled-header.js';
import type { ProbeRecord } from './probe-record.js';

/**
 * Reassembles the start of the transport header (what a probe needs: TCP ports and flags, UDP ports, the
 * ICMP type and quote) from IPv4 and IPv6 fragments, so that `nmap -f` probes count like unfragmented ones,
 * once per datagram. A fixed table: every array is allocated by the constructor, nothing per fragment.
 *
 * - Key: family, source, destination, protocol and IP identification (IPv4 16 bits, IPv6 32 bits).
 * - Only the first REASSEMBLY_BYTES bytes of each datagram are kept; fragments past them only tell where the
 *   datagram ends (which a TCP ACK probe needs: it is a probe only without payload).
 * - Once a header is classified the entry stays, marked done, until its slot is reused, so the later
 *   fragments of that datagram (and duplicates of the first) count nothing.
 * - Duplicates (every byte already held, equal) are ignored. Overlaps: IPv4 keeps the bytes it had
 *   (first wins: a later fragment only fills gaps); IPv6 discards the whole datagram, as RFC 5722 and
 *   Linux do. Overlaps past REASSEMBLY_BYTES are not seen.
 * - Full table: slots are taken in ring order, so the slot taken next holds the oldest entry; one still
 *   collecting is evicted (counted: a flood of distinct IDs) or, when older than the lifetime, expired.
 */

/**
 * Entries: a probe's fragments arrive back to back, so a datagram waits for an RTT at most; nmap keeps a few
 * hundred probes in flight, so 1024 holds several scanners at once in 216 KiB (216 bytes an entry).
 */
export const FRAGMENT_TABLE_ENTRIES = 1024;
/** Seconds of packet time an unfinished datagram waits for its other fragments: Linux's ipfrag_time default. */
export const FRAGMENT_LIFETIME_SECONDS = 30;
export { REASSEMBLY_BYTES };

const FREE = 0;
const COLLECTING = 1;
const DONE = 2;
/** IPv6 datagram with overlapping fragments: discarded (RFC 5722), its later fragments count nothing. */
const DISCARDED = 3;

/** What the table did, over its life. Every fragment handed to `add` is exactly one of classified, held, ignored. */
export interface FragmentCounts {
  fragments: number;
  /** Fragments that completed a header, which was then classified (a probe, a reply, nothing, or malformed). */
  classified: number;
  /** Fragments kept while their datagram's header is incomplete. */
  held: number;
  /** Fragments of a datagram already classified or discarded, and duplicates. */
  ignored: number;
  /** Fragments whose bytes were all held already, and equal. */
  duplicates: number;
  /** Fragments overlapping held bytes with other bytes or bounds (IPv4 keeps the first, IPv6 discards the datagram). */
  overlaps: number;
  /** Unfinished datagrams pushed out by newer ones while the table was full (a flood of distinct IDs). */
  evicted: number;
  /** Unfinished datagrams older than the lifetime when their slot was needed or their ID came again. */
  expired: number;
}

export class FragmentTable {
  readonly capacity: number;
  readonly counts: FragmentCounts = { fragments: 0, classified: 0, held: 0, ignored: 0, duplicates: 0, overlaps: 0, evicted: 0, expired: 0 };
  private readonly state: Uint8Array;
  private readonly family: Uint8Array;
  private readonly protocol: Uint8Array;
  private readonly id: Uint32Array;
  /** Source words 0-3, destination words 4-7 (IPv4: word 0 and 4). */
  private readonly addresses: Uint32Array;
  private readonly created: Float64Array;
  /** Held bytes from offset 0 without a gap. */
  private readonly contiguous: Uint8Array;
  /** Furthest datagram byte any fragment claimed; and the end the last fragment (MF clear) gave, -1 before it. */
  private readonly furthest: Int32Array;
  private readonly total: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly heldMask: Uint8Array;
  /** Hash chains: bucket heads and each slot's successor (-1 ends a chain). */
  private readonly buckets: Int32Array;
  private readonly chainNext: Int32Array;
  private readonly bucketOf: Int32Array;
  private readonly seed: number;
  private ring = 0;
  private now = 0;

  constructor(capacity: number = FRAGMENT_TABLE_ENTRIES) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 20) throw new RangeError(`fragment table capacity ${capacity}`);
    this.capacity = capacity;
    this.state = new Uint8Array(capacity);
    this.family = new Uint8Array(capacity);
    this.protocol = new Uint8Array(capacity);
    this.id = new Uint32Array(capacity);
    this.addresses = new Uint32Array(capacity * 8);
    this.created = new Float64Array(capacity);
    this.contiguous = new Uint8Array(capacity);
    this.furthest = new Int32Array(capacity);
    this.total = new Int32Array(capacity);
    this.bytes = new Uint8Array(capacity * REASSEMBLY_BYTES);
    this.heldMask = new Uint8Array(capacity * REASSEMBLY_BYTES);
    this.buckets = new Int32Array(capacity * 2).fill(-1); // load factor 1/2 keeps chains short
    this.chainNext = new Int32Array(capacity).fill(-1);
    this.bucketOf = new Int32Array(capacity);
    this.seed = (Math.random() * 0x100000000) >>> 0; // chains an attacker cannot aim at
  }

  /** Bytes held by the table's arrays: fixed at construction. */
  get byteLength(): number {
    const arrays = [this.state, this.family, this.protocol, this.id, this.addresses, this.created, this.contiguous, this.furthest, this.total, this.bytes, this.heldMask, this.buckets, this.chainNext, this.bucketOf];
    return arrays.reduce((n, a) => n + a.byteLength, 0);
  }

  /** Entries in use (collecting, done or discarded): for tests. */
  get occupied(): number {
    let n = 0;
    for (let i = 0; i < this.capacity; i++) if (this.state[i] !== FREE) n++;
    return n;
  }

  /**
   * One fragment as the decoder described it in `record` (DecodeOutcome.Fragment), captured at `seconds` of
   * packet time. Returns the ProbeKind when this fragment completed its datagram's header (the record then
   * holds ports and addresses), a negated MalformedReason when that header is malformed, otherwise 0.
   */
  add(data: Uint8Array, record: ProbeRecord, seconds: number): number {
    const f = record.fragment;
    this.counts.fragments++;
    if (seconds === seconds) this.now = seconds; // NaN (no time given) keeps the clock where it was
    let slot = this.find(record);
    if (slot >= 0 && this.isExpired(slot)) {
      this.release(slot);
      slot = -1;
    }
    // A fragment whose bytes contradict a classified datagram's is a new datagram reusing the IP ID (a 16-bit ID
    // collides within a few hundred probes): that datagram is over, this one starts afresh. Equal bytes are a duplicate.
    if (slot >= 0 && this.state[slot] === DONE && this.contradicts(slot, data, f)) {
      this.release(slot);
      slot = -1;
    }
    if (slot < 0) slot = this.allocate(record);
    if (this.state[slot] !== COLLECTING) {
      this.counts.ignored++;
      return 0;
    }
    const end = f.offset + f.length;
    const base = slot * REASSEMBLY_BYTES;
    // Bytes kept: the captured part of the fragment inside the reassembly window.
    const keepEnd = Math.min(f.offset + f.captured, REASSEMBLY_BYTES);
    let overlapping = 0;
    let differing = 0;
    for (let i = f.offset; i < keepEnd; i++) {
      if (this.heldMask[base + i] !== 0) {
        overlapping++;
        if (this.bytes[base + i] !== data[f.start + i - f.offset]) differing++;
      }
    }
    const total = this.total[slot]!;
    const endConflict = (total >= 0 && (end > total || (!f.more && end !== total))) || (!f.more && end < this.furthest[slot]!);
    if (overlapping > 0 && overlapping === keepEnd - f.offset && differing === 0 && !endConflict) {
      this.counts.duplicates++;
      this.counts.ignored++;
      return 0;
    }
    if (overlapping > 0 || endConflict) {
      this.counts.overlaps++;
      if (this.family[slot] === 6) {
        this.state[slot] = DISCARDED;
        this.counts.ignored++;
        return 0;
      }
    }
    for (let i = f.offset; i < keepEnd; i++) {
      if (this.heldMask[base + i] === 0) {
        this.heldMask[base + i] = 1;
        this.bytes[base + i] = data[f.start + i - f.offset]!;
      }
    }
    if (end > this.furthest[slot]!) this.furthest[slot] = end;
    if (!f.more && total < 0) this.total[slot] = end; // first wins for the end as for the bytes
    let contiguous = this.contiguous[slot]!;
    while (contiguous < REASSEMBLY_BYTES && this.heldMask[base + contiguous] !== 0) contiguous++; // bound: REASSEMBLY_BYTES
    this.contiguous[slot] = contiguous;
    const kind = classifyReassembled(this.bytes, base, contiguous, this.total[slot]!, this.furthest[slot]!, this.protocol[slot]!, this.family[slot] === 6, record);
    if (kind === NOT_YET) {
      this.counts.held++;
      return 0;
    }
    this.state[slot] = DONE;
    this.counts.classified++;
    return kind;
  }

  private isExpired(slot: number): boolean {
    const age = this.now - this.created[slot]!;
    return age > FRAGMENT_LIFETIME_SECONDS || age < -FRAGMENT_LIFETIME_SECONDS; // a clock jumping back is as stale
  }

  private hash(record: ProbeRecord): number {
    const f = record.fragment;
    let h = this.seed ^ f.id;
    h = Math.imul(h ^ (f.protocol | (record.family << 8)), 0x9e3779b1);
    if (record.family === 4) {
      h = Math.imul(h ^ record.src4, 0x85ebca6b);
      h = Math.imul(h ^ record.dst4, 0xc2b2ae35);
    } else {
      for (let i = 0; i < 4; i++) {
        h = Math.imul(h ^ record.src6[i]!, 0x85ebca6b);
        h = Math.imul(h ^ record.dst6[i]!, 0xc2b2ae35);
      }
    }
    h ^= h >>> 16;
    return (h >>> 0) % this.buckets.length;
  }

  private find(record: ProbeRecord): number {
    const f = record.fragment;
    // Bound: a slot is in one chain at most, so a chain is never longer than the table.
    for (let slot = this.buckets[this.hash(record)]!, steps = 0; slot >= 0 && steps < this.capacity; slot = this.chainNext[slot]!, steps++) {
      if (this.id[slot] !== f.id || this.protocol[slot] !== f.protocol || this.family[slot] !== record.family) continue;
      const a = slot * 8;
      if (record.family === 4) {
        if (this.addresses[a] === record.src4 && this.addresses[a + 4] === record.dst4) return slot;
      } else if (sameWords(this.addresses, a, record.src6) && sameWords(this.addresses, a + 4, record.dst6)) {
        return slot;
      }
    }
    return -1;
  }

  /** Takes the next slot in ring order (the oldest entry), evicting or expiring what it held. */
  private allocate(record: ProbeRecord): number {
    const slot = this.ring;
    this.ring = slot + 1 === this.capacity ? 0 : slot + 1;
    if (this.state[slot] !== FREE) this.release(slot);
    const f = record.fragment;
    this.state[slot] = COLLECTING;
    this.family[slot] = record.family;
    this.protocol[slot] = f.protocol;
    this.id[slot] = f.id;
    const a = slot * 8;
    if (record.family === 4) {
      this.addresses[a] = record.src4;
      this.addresses[a + 4] = record.dst4;
    } else {
      this.addresses.set(record.src6, a);
      this.addresses.set(record.dst6, a + 4);
    }
    this.created[slot] = this.now;
    this.contiguous[slot] = 0;
    this.furthest[slot] = 0;
    this.total[slot] = -1;
    this.heldMask.fill(0, slot * REASSEMBLY_BYTES, (slot + 1) * REASSEMBLY_BYTES);
    const bucket = this.hash(record);
    this.bucketOf[slot] = bucket;
    this.chainNext[slot] = this.buckets[bucket]!;
    this.buckets[bucket] = slot;
    return slot;
  }

  /** Whether the fragment carries, at offsets already held, bytes other than those held. */
  private contradicts(slot: number, data: Uint8Array, f: ProbeRecord['fragment']): boolean {
    const base = slot * REASSEMBLY_BYTES;
    const keepEnd = Math.min(f.offset + f.captured, REASSEMBLY_BYTES);
    for (let i = f.offset; i < keepEnd; i++) {
      if (this.heldMask[base + i] !== 0 && this.bytes[base + i] !== data[f.start + i - f.offset]) return true;
    }
    return false;
  }

  /** Frees a slot, counting an unfinished datagram as expired or evicted. */
  private release(slot: number): void {
    if (this.state[slot] === COLLECTING) {
      if (this.isExpired(slot)) this.counts.expired++;
      else this.counts.evicted++;
    }
    this.state[slot] = FREE;
    const bucket = this.bucketOf[slot]!;
    if (this.buckets[bucket] === slot) {
      this.buckets[bucket] = this.chainNext[slot]!;
    } else {
      // Bound: a chain is never longer than the table.
      for (let prev = this.buckets[bucket]!, steps = 0; prev >= 0 && steps < this.capacity; prev = this.chainNext[prev]!, steps++) {
        if (this.chainNext[prev] === slot) {
          this.chainNext[prev] = this.chainNext[slot]!;
          break;
        }
      }
    }
    this.chainNext[slot] = -1;
  }
}

function sameWords(table: Uint32Array, at: number, words: Uint32Array): boolean {
  return table[at] === words[0] && table[at + 1] === words[1] && table[at + 2] === words[2] && table[at + 3] === words[3];
}
