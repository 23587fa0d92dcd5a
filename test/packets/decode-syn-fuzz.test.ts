import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSyn } from '../../src/packets/decode-syn.js';
import { createSynRecord, DecodeResult, LinkType, type SynRecord } from '../../src/packets/syn-record.js';
import { EtherType, LINUX_SYN_OPTIONS, TcpFlags, tcpFrame, type Framing, type Ipv4Spec, type Ipv6Spec, type LinkKind, type TcpSpec } from '../../support/frames.js';
import { Xorshift32 } from '../../support/xorshift.js';

/**
 * Issue 4: a million random and mutated frames per link type, seeded so a failure replays exactly.
 * Each frame sits inside a poisoned arena (bytes before `offset` and after `offset + length` hold a
 * pattern); decoding again after changing the pattern must give the same answer, which a read outside
 * the frame would very likely break.
 */

const FRAMES_PER_LINK_TYPE = 1_000_000;
const MAX_FRAME = 256;
const TAIL = 256;
const VIEW_START = 3; // the decoder gets a subarray view, not the arena's own buffer start
/** Pairs of poison bytes that differ in every field a stray read could hit (version, IHL, flags, data offset). */
const POISON = [[0x02, 0x55], [0x00, 0xff], [0x45, 0x60], [0x12, 0xa2]] as const;
const INTERESTING = [0, 1, 2, 4, 5, 6, 0x0f, 0x10, 0x12, 0x40, 0x45, 0x4f, 0x50, 0x60, 0x7f, 0x80, 0x81, 0x86, 0x88, 0x91, 0xa8, 0xdd, 0xf0, 0xff];
const NEXT_HEADERS = [0, 6, 17, 43, 44, 50, 51, 58, 59, 60, 135, 255];

interface Seed {
  bytes: Uint8Array;
  ipStart: number;
  tcpStart: number;
}

function seedsFor(link: LinkKind): Seed[] {
  const linkBytes = { ethernet: 14, sll: 16, sll2: 20, raw: 0, null: 4 }[link];
  const specs: Array<{ tagCount?: number; ipv4?: Ipv4Spec; ipv6?: Ipv6Spec; tcp?: TcpSpec }> = [
    {},
    { tcp: { options: LINUX_SYN_OPTIONS } },
    { ipv4: { options: [0x94, 4, 0, 0, 1, 1, 1, 0] }, tcp: { flags: TcpFlags.SYN | TcpFlags.ACK } },
    { ipv4: { moreFragments: true } },
    { ipv4: { fragmentOffset: 4 } },
    { ipv6: {} },
    { ipv6: {}, tcp: { options: LINUX_SYN_OPTIONS, flags: TcpFlags.ACK } },
    { ipv6: { extensions: [{ kind: 'hop-by-hop', units: 1 }, { kind: 'routing', units: 2 }, { kind: 'fragment', more: true }, { kind: 'ah' }, { kind: 'destination' }] } },
    { ipv6: { extensions: [{ kind: 'fragment', offset: 9 }] } },
    { tagCount: 2 },
    { tagCount: 3, ipv6: { extensions: [{ kind: 'destination' }] } },
  ];
  return specs
    .filter((s) => !s.tagCount || link === 'ethernet')
    .map((s) => {
      const framing: Framing = { link, tags: Array.from({ length: s.tagCount ?? 0 }, (_, i) => ({ tpid: [EtherType.QinQ, EtherType.VLAN, EtherType.QinQOld][i], vlan: i + 1 })) };
      const bytes = tcpFrame({ ...framing, ipv4: s.ipv4, ipv6: s.ipv6, tcp: s.tcp });
      const tcpLength = 20 + (s.tcp?.options?.length ?? 0);
      return { bytes, ipStart: linkBytes + 4 * (s.tagCount ?? 0), tcpStart: bytes.length - tcpLength };
    });
}

/** Writes a mutated or random frame into `arena` at `pos`; returns its length. */
function makeFrame(rng: Xorshift32, seeds: Seed[], arena: Uint8Array, pos: number): number {
  if (rng.chance(0.15)) {
    const length = rng.below(MAX_FRAME + 1);
    rng.fill(arena, pos, pos + length);
    if (length > 0 && rng.chance(0.5)) arena[pos] = rng.pick([0x45, 0x46, 0x4f, 0x60, 0x02, 0x1e]);
    return length;
  }
  const seed = rng.pick(seeds);
  arena.set(seed.bytes, pos);
  let length = seed.bytes.length;
  const ip = pos + seed.ipStart;
  const tcp = pos + seed.tcpStart;
  for (let n = 1 + rng.below(4); n > 0; n--) {
    switch (rng.below(12)) {
      case 0: // truncate
        length = rng.below(length + 1);
        break;
      case 1: // flip a bit
        if (length > 0) arena[pos + rng.below(length)] ^= 1 << rng.below(8);
        break;
      case 2: // any byte, any value
        if (length > 0) arena[pos + rng.below(length)] = rng.below(256);
        break;
      case 3: // a byte near the headers, a boundary value
        arena[pos + rng.below(Math.min(length, seed.tcpStart + 20) + 1)] = rng.pick(INTERESTING);
        break;
      case 4: // absurd IHL or version
        arena[ip] = (rng.chance(0.8) ? arena[ip] & 0xf0 : rng.below(16) << 4) | rng.below(16);
        break;
      case 5: // absurd TCP data offset
        arena[tcp + 12] = (rng.below(16) << 4) | (arena[tcp + 12] & 0x0f);
        break;
      case 6: { // extend headers: open a gap of random bytes somewhere in the headers
        const at = pos + rng.below(seed.tcpStart + 1);
        const grow = Math.min(4 * (1 + rng.below(16)), MAX_FRAME - length);
        arena.copyWithin(at + grow, at, pos + length);
        rng.fill(arena, at, at + grow);
        if (rng.chance(0.5) && grow >= 4) arena.set([0x81, 0x00, 0, 1], at); // a VLAN tag
        length += grow;
        break;
      }
      case 7: { // an IPv6 extension-header chain that loops on itself
        const type = rng.pick([0, 43, 60, 51, 44]);
        arena[ip + 6] = type;
        const count = 1 + rng.below(24);
        for (let i = 0, q = ip + 40; i < count && q + 8 <= pos + MAX_FRAME; i++, q += 8) {
          arena[q] = type;
          arena[q + 1] = 0; // 8 bytes each: AH counts (0 + 2) * 4, the others (0 + 1) * 8
        }
        length = Math.max(length, Math.min(MAX_FRAME, ip - pos + 40 + 8 * count + 20));
        break;
      }
      case 8: // total length / payload length
        arena[ip + 2 + 2 * rng.below(2)] = rng.below(256);
        arena[ip + 3 + 2 * rng.below(2)] = rng.below(256);
        break;
      case 9: // fragment fields
        arena[ip + 6] = rng.below(256);
        arena[ip + 7] = rng.below(256);
        break;
      case 10: // protocol / next header
        arena[ip + (rng.chance(0.5) ? 9 : 6)] = rng.pick(NEXT_HEADERS);
        break;
      case 11: // TCP flags
        arena[tcp + 13] = rng.below(256);
        break;
    }
  }
  return length;
}

function fuzzLinkType(linkType: number, link: LinkKind, seedValue: number, frames: number): number[] {
  const rng = new Xorshift32(seedValue);
  const seeds = seedsFor(link);
  const arena = new Uint8Array(VIEW_START + 8 + MAX_FRAME + 64 + TAIL);
  const view = arena.subarray(VIEW_START);
  const record = createSynRecord();
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < frames; i++) {
    const pos = i & 7;
    // Clear stale bytes of the previous frame so that mutations start from the seed only.
    view.fill(0, pos, pos + MAX_FRAME + 64);
    const length = makeFrame(rng, seeds, view, pos);
    const [a, b] = POISON[(i >>> 3) & 3];
    view.fill(a, 0, pos);
    view.fill(a, pos + length);
    let first: DecodeResult;
    let second: DecodeResult;
    try {
      first = decodeSyn(view, pos, length, linkType, record);
      const snapshot = first === DecodeResult.Syn ? recordText(record) : '';
      view.fill(b, 0, pos);
      view.fill(b, pos + length);
      second = decodeSyn(view, pos, length, linkType, record);
      if (first !== second || (first === DecodeResult.Syn && snapshot !== recordText(record))) {
        throw new Error(`result depends on bytes outside the frame (${first} then ${second})`);
      }
    } catch (error) {
      const hex = Buffer.from(view.subarray(pos, pos + length)).toString('hex');
      throw new Error(`link type ${linkType}, seed ${seedValue}, frame ${i}, length ${length}: ${(error as Error).message}\n${hex}`);
    }
    if (!(first >= 0 && first <= 3)) throw new Error(`result ${String(first)} is not a DecodeResult`);
    counts[first]++;
  }
  return counts;
}

/** Only called for SYNs, a small share of frames. */
function recordText(r: SynRecord): string {
  return r.family === 4 ? `4 ${r.src4} ${r.dst4} ${r.srcPort} ${r.dstPort}` : `6 ${r.src6.join()} ${r.dst6.join()} ${r.srcPort} ${r.dstPort}`;
}

const targets: Array<[string, number, LinkKind]> = [
  ['Ethernet', LinkType.Ethernet, 'ethernet'],
  ['Linux cooked v1', LinkType.LinuxSll, 'sll'],
  ['Linux cooked v2', LinkType.LinuxSll2, 'sll2'],
  ['raw IP (101)', LinkType.Raw, 'raw'],
  ['raw IP (12)', LinkType.RawBsd, 'raw'],
  ['raw IP (14)', LinkType.RawOpenBsd, 'raw'],
  ['BSD null', LinkType.Null, 'null'],
];

for (const [name, linkType, link] of targets) {
  test(`fuzz ${name}: ${FRAMES_PER_LINK_TYPE} hostile frames, no throw, no read outside the frame, each counted once`, () => {
    const counts = fuzzLinkType(linkType, link, 0x5eed0000 + linkType, FRAMES_PER_LINK_TYPE);
    assert.equal(counts[0] + counts[1] + counts[2] + counts[3], FRAMES_PER_LINK_TYPE);
    assert.equal(counts[DecodeResult.UnsupportedLink], 0);
    // The mutations must reach every verdict, or the fuzzer is not exploring.
    for (const result of [DecodeResult.Syn, DecodeResult.Other, DecodeResult.Malformed]) {
      assert.ok(counts[result] > FRAMES_PER_LINK_TYPE / 100, `verdict ${result}: ${counts.join(', ')}`);
    }
  });
}

const WATCHED_FRAMES_PER_LINK_TYPE = 60_000;

test(`fuzz every link type through a watching proxy: ${WATCHED_FRAMES_PER_LINK_TYPE} frames each, not one index read outside the frame`, () => {
  // Runs after the million-frame loops, since the proxy makes the decoder's call site polymorphic.
  let lo = 0;
  let hi = 0;
  const stray: number[] = [];
  const arena = new Uint8Array(8 + MAX_FRAME + 64 + TAIL);
  const watched = new Proxy(arena, {
    get(target, key) {
      if (typeof key === 'string' && /^-?\d/.test(key)) {
        const index = Number(key);
        if (!(index >= lo && index < hi)) stray.push(index);
        return target[index];
      }
      return Reflect.get(target, key, target) as unknown;
    },
  });
  const record = createSynRecord();
  for (const [, linkType, link] of targets) {
    const rng = new Xorshift32(0xface + linkType);
    const seeds = seedsFor(link);
    for (let i = 0; i < WATCHED_FRAMES_PER_LINK_TYPE; i++) {
      const pos = i & 7;
      arena.fill(0);
      const length = makeFrame(rng, seeds, arena, pos);
      lo = pos;
      hi = pos + length;
      decodeSyn(watched, pos, length, linkType, record);
      if (stray.length > 0) {
        assert.fail(`link type ${linkType}, frame ${i}: read index ${stray[0]} outside [${lo}, ${hi}): ${Buffer.from(arena.subarray(lo, hi)).toString('hex')}`);
      }
    }
  }
});

test('fuzz is deterministic: the same seed gives the same verdict counts', () => {
  assert.deepEqual(fuzzLinkType(LinkType.Ethernet, 'ethernet', 7, 20_000), fuzzLinkType(LinkType.Ethernet, 'ethernet', 7, 20_000));
  assert.notDeepEqual(fuzzLinkType(LinkType.Ethernet, 'ethernet', 7, 20_000), fuzzLinkType(LinkType.Ethernet, 'ethernet', 8, 20_000));
});
