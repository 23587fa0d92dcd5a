import { decodeFrame } from '../../src/packets/decode-frame.js';
import { MAX_ENCAPSULATIONS } from '../../src/packets/decode-ip.js';
import { createProbeRecord, DecodeOutcome, MALFORMED_REASON_SLOTS, PROBE_KIND_SLOTS, type ProbeRecord } from '../../src/packets/probe-record.js';
import { icmpEcho } from './probe-packets.js';
import { ipv4Packet, ipv6Packet, LINUX_SYN_OPTIONS, tcpSegment, TcpFlags, udpDatagram } from '../../support/frames.js';
import { encapsulate, linkTypeOfEncapsulation, type Encapsulation } from '../../support/encapsulations.js';
import { Xorshift32 } from '../../support/xorshift.js';

/**
 * Seeded hostile frames for one encapsulation family: random bytes, and mutations of well-formed seeds
 * (SYN, stealth, UDP, ICMP inside the encapsulation, plus chains nested past MAX_ENCAPSULATIONS). Each frame
 * sits in a poisoned arena: decoding again after changing the bytes around it must give the same answer.
 * A second pass reads through a Proxy that fails on any index outside the frame.
 */

export const MAX_FRAME = 1024;
const TAIL = 256;
const POISON = [[0x02, 0x55], [0x00, 0xff], [0x45, 0x60], [0x11, 0x88], [0xaa, 0x03]] as const;
const INTERESTING = [0, 1, 2, 3, 4, 6, 8, 9, 0x0a, 0x0f, 0x10, 0x11, 0x21, 0x22, 0x2f, 0x3f, 0x40, 0x45, 0x57, 0x58, 0x60, 0x65, 0x80, 0x81, 0x86, 0x88, 0x8f, 0xaa, 0xbe, 0xdd, 0xeb, 0xff];

export interface FuzzTarget {
  name: string;
  encapsulations: readonly Encapsulation[];
}

/** The packets each seed carries innermost. */
function innerPackets(): Uint8Array[] {
  return [
    ipv4Packet({}, tcpSegment()),
    ipv4Packet({}, tcpSegment({ flags: TcpFlags.FIN | TcpFlags.PSH | TcpFlags.URG, options: LINUX_SYN_OPTIONS })),
    ipv4Packet({ protocol: 17 }, udpDatagram(1234, 161)),
    ipv4Packet({ protocol: 1 }, icmpEcho(false)),
    ipv6Packet({}, tcpSegment({ options: LINUX_SYN_OPTIONS })),
    ipv6Packet({ protocol: 17 }, udpDatagram(1234, 4789, new Uint8Array(8))),
    ipv6Packet({ protocol: 58 }, icmpEcho(true)),
  ];
}

/** Tunnels that take an IP packet and give an Ethernet frame, so they can be nested. */
const NESTABLE: readonly Encapsulation[] = ['gre-ip', 'gre-teb', 'erspan1', 'erspan2', 'erspan3', 'erspan3-platform', 'vxlan', 'geneve-eth', 'geneve-ip', 'ipip', 'gre-ip-keyed'];

export function seedsFor(target: FuzzTarget): Uint8Array[] {
  const seeds: Uint8Array[] = [];
  for (const e of target.encapsulations) {
    for (const ip of innerPackets()) {
      const v6 = ip[0] >> 4 === 6;
      if ((e === 'ipv4-link' && v6) || (e === 'ipv6-link' && !v6)) continue;
      seeds.push(encapsulate(e, ip, seeds.length % 2 === 1));
    }
    if (NESTABLE.includes(e)) {
      // The same tunnel nested to the bound and one past it (the outer IP of one is the next one's packet).
      let frame = encapsulate(e, innerPackets()[0]!);
      for (let depth = 2; depth <= MAX_ENCAPSULATIONS + 1 && frame.length < MAX_FRAME - 80; depth++) {
        frame = encapsulate(e, frame.subarray(14));
        if (depth >= MAX_ENCAPSULATIONS - 1) seeds.push(frame);
      }
    }
  }
  return seeds.filter((s) => s.length <= MAX_FRAME);
}

/** Writes a mutated or random frame into `arena` at `pos`; returns its length. */
export function makeFrame(rng: Xorshift32, seeds: Uint8Array[], arena: Uint8Array, pos: number): number {
  if (rng.chance(0.1)) {
    const length = rng.below(257);
    rng.fill(arena, pos, pos + length);
    return length;
  }
  const seed = rng.pick(seeds);
  arena.set(seed, pos);
  let length = seed.length;
  const headers = Math.min(length, 160); // where tunnel and link headers live
  for (let n = 1 + rng.below(4); n > 0; n--) {
    switch (rng.below(8)) {
      case 0: // truncate
        length = rng.below(length + 1);
        break;
      case 1: // flip a bit in the headers
        if (length > 0) arena[pos + rng.below(Math.min(length, headers))] ^= 1 << rng.below(8);
        break;
      case 2: // any byte, any value
        if (length > 0) arena[pos + rng.below(length)] = rng.below(256);
        break;
      case 3: // a boundary value near the headers (flags, lengths, types, versions)
      case 4:
        if (length > 0) arena[pos + rng.below(Math.min(length, headers))] = rng.pick(INTERESTING);
        break;
      case 5: { // repeat a slice of the headers: nests whatever header it holds
        const from = rng.below(Math.max(1, headers - 4));
        const size = Math.min(4 * (1 + rng.below(16)), headers - from, MAX_FRAME - length);
        if (size <= 0) break;
        arena.copyWithin(pos + from + size, pos + from, pos + length);
        length += size;
        break;
      }
      case 6: { // open a gap of random bytes
        const at = pos + rng.below(headers + 1);
        const grow = Math.min(4 * (1 + rng.below(8)), MAX_FRAME - length);
        arena.copyWithin(at + grow, at, pos + length);
        rng.fill(arena, at, at + grow);
        length += grow;
        break;
      }
      case 7: // a 16-bit length or type field set to an extreme
        if (length > 1) {
          const at = pos + rng.below(Math.min(length, headers) - 1);
          const value = rng.pick([0, 1, 4, 8, 0x7fff, 0xffff, rng.below(0x10000)]);
          arena[at] = value >> 8;
          arena[at + 1] = value & 0xff;
        }
        break;
    }
  }
  return length;
}

export interface FuzzCounts {
  /** By ProbeKind (index 0: neither probe nor reply). */
  kinds: number[];
  /** Fragments handed on for reassembly (the decoder's DecodeOutcome.Fragment). */
  fragments: number;
  /** By MalformedReason. */
  reasons: number[];
}

/** `frames` seeded frames through decodeFrame twice each, with different poison around them. */
export function fuzzTarget(target: FuzzTarget, seedValue: number, frames: number): FuzzCounts {
  const rng = new Xorshift32(seedValue);
  const seeds = seedsFor(target);
  const linkType = linkTypeOfEncapsulation(target.encapsulations[0]!);
  const arena = new Uint8Array(3 + 8 + MAX_FRAME + 64 + TAIL);
  const view = arena.subarray(3); // a view, not the buffer's own start
  const record = createProbeRecord();
  const counts: FuzzCounts = { fragments: 0, kinds: new Array<number>(PROBE_KIND_SLOTS).fill(0), reasons: new Array<number>(MALFORMED_REASON_SLOTS).fill(0) };
  for (let i = 0; i < frames; i++) {
    const pos = i & 7;
    view.fill(0, pos, pos + MAX_FRAME + 64);
    const length = makeFrame(rng, seeds, view, pos);
    const [a, b] = POISON[(i >>> 3) % POISON.length]!;
    view.fill(a, 0, pos);
    view.fill(a, pos + length);
    let first: number;
    try {
      first = decodeFrame(view, pos, length, linkType, record);
      const snapshot = first > 0 ? recordText(record) : '';
      view.fill(b, 0, pos);
      view.fill(b, pos + length);
      const second = decodeFrame(view, pos, length, linkType, record);
      if (first !== second || (first > 0 && snapshot !== recordText(record))) throw new Error(`result depends on bytes outside the frame (${first} then ${second})`);
    } catch (error) {
      throw new Error(`${target.name}, seed ${seedValue}, frame ${i}, length ${length}: ${(error as Error).message}\n${Buffer.from(view.subarray(pos, pos + length)).toString('hex')}`);
    }
    if (first === DecodeOutcome.Fragment) counts.fragments++;
    else if (first >= 0 && first < PROBE_KIND_SLOTS && Number.isInteger(first)) counts.kinds[first]!++;
    else if (first < 0 && -first < MALFORMED_REASON_SLOTS && Number.isInteger(first)) counts.reasons[-first]!++;
    else throw new Error(`${target.name}, frame ${i}: ${first} is neither a kind nor a reason`);
  }
  return counts;
}

/** Only called for probes. */
function recordText(r: ProbeRecord): string {
  return r.family === 4 ? `4 ${r.src4} ${r.dst4} ${r.srcPort} ${r.dstPort}` : `6 ${r.src6.join()} ${r.dst6.join()} ${r.srcPort} ${r.dstPort}`;
}

/** `frames` frames per target read through a Proxy; returns the first read outside the frame, or null. */
export function watchedReads(targets: readonly FuzzTarget[], frames: number): string | null {
  let lo = 0;
  let hi = 0;
  let stray = -1;
  const arena = new Uint8Array(8 + MAX_FRAME + 64 + TAIL);
  const watched = new Proxy(arena, {
    get(target, key) {
      if (typeof key === 'string' && /^-?\d/.test(key)) {
        const index = Number(key);
        if (!(index >= lo && index < hi) && stray < 0) stray = index;
        return target[index];
      }
      return Reflect.get(target, key, target) as unknown;
    },
  });
  const record = createProbeRecord();
  for (const [t, target] of targets.entries()) {
    const rng = new Xorshift32(0xface00 + t);
    const seeds = seedsFor(target);
    const linkType = linkTypeOfEncapsulation(target.encapsulations[0]!);
    for (let i = 0; i < frames; i++) {
      const pos = i & 7;
      arena.fill(0);
      const length = makeFrame(rng, seeds, arena, pos);
      lo = pos;
      hi = pos + length;
      decodeFrame(watched, pos, length, linkType, record);
      if (stray >= 0) return `${target.name}, frame ${i}: read index ${stray} outside [${lo}, ${hi}): ${Buffer.from(arena.subarray(lo, hi)).toString('hex')}`;
    }
  }
  return null;
}
