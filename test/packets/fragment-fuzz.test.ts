import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame } from '../../src/packets/decode-frame.js';
import { FragmentTable } from '../../src/packets/fragment-table.js';
import { createProbeRecord, DecodeOutcome, MALFORMED_REASON_SLOTS, PROBE_KIND_SLOTS } from '../../src/packets/probe-record.js';
import { LinkType } from '../../src/packets/syn-record.js';
import { IpProtocol, LINUX_SYN_OPTIONS, tcpSegment, udpDatagram } from '../../support/frames.js';
import { Xorshift32 } from '../../support/xorshift.js';
import { ipv4Fragment, ipv6Fragment, type Piece } from './fragments.js';

/**
 * Hostile fragment streams, seeded so a failure replays exactly: overlaps, floods of distinct IDs, tiny
 * fragments, offsets near 65535, IPv6 atomic fragments, damaged bytes, time jumps. The table must never
 * throw, never grow, never read outside the fragment's captured data, and keep its counters consistent.
 */

const STREAM_FRAGMENTS = 200_000;
/** Of those, this many are read through a Proxy that records any read outside the fragment's captured bytes. */
const WATCHED_FRAGMENTS = 20_000;
const CAPACITY = 64; // small, so floods and evictions happen often
const SOURCES = ['192.0.2.1', '192.0.2.2', '203.0.113.9'];
const SOURCES6 = ['2001:db8::1', '2001:db8::2'];

function payloadFor(rng: Xorshift32): Uint8Array {
  switch (rng.below(5)) {
    case 0: return tcpSegment({ dstPort: rng.below(65536), flags: rng.below(256), options: rng.chance(0.5) ? LINUX_SYN_OPTIONS : [] });
    case 1: return udpDatagram(rng.below(65536), rng.below(65536), new Uint8Array(rng.below(64)));
    case 2: {
      const icmp = new Uint8Array(8 + rng.below(80));
      rng.fill(icmp);
      icmp[0] = rng.pick([0, 1, 3, 8, 128]);
      return icmp;
    }
    default: {
      const junk = new Uint8Array(rng.below(100));
      rng.fill(junk);
      return junk;
    }
  }
}

/** One random fragment: mostly plausible pieces of a few datagrams, some extreme. */
function randomFragment(rng: Xorshift32, payload: Uint8Array): Uint8Array {
  const v6 = rng.chance(0.35);
  const id = rng.chance(0.3) ? rng.below(65536) : rng.below(8); // floods of distinct IDs, or a few IDs that overlap
  let offset: number;
  const shape = rng.below(10);
  if (shape === 0) offset = 65528 - 8 * rng.below(4); // near the end of the largest datagram
  else if (shape === 1) offset = 8 * rng.below(8192);
  else offset = 8 * rng.below(6); // inside the reassembly window
  const from = Math.min(offset, payload.length);
  const size = shape === 2 ? 1 + rng.below(8) : 8 * rng.below(4) + rng.below(2) * rng.below(8); // tiny, odd-sized
  const bytes = rng.chance(0.2) ? payload.subarray(0, Math.min(size, payload.length)) : payload.subarray(from, Math.min(from + size, payload.length));
  const more = rng.chance(0.6);
  const atomic = v6 && rng.chance(0.05);
  const piece: Piece = { offset: atomic ? 0 : offset, bytes, more: atomic ? false : more };
  const protocol = v6 ? rng.pick([IpProtocol.TCP, IpProtocol.UDP, IpProtocol.ICMPv6]) : rng.pick([IpProtocol.TCP, IpProtocol.UDP, 1]);
  const frame = v6
    ? ipv6Fragment({ src: rng.pick(SOURCES6), protocol }, id, piece)
    : ipv4Fragment({ src: rng.pick(SOURCES), protocol, id }, piece);
  if (rng.chance(0.1)) frame[rng.below(frame.length)] = rng.below(256); // damage anywhere, headers included
  return rng.chance(0.05) ? frame.subarray(0, rng.below(frame.length + 1)) : frame; // a snaplen cut
}

test(`${STREAM_FRAGMENTS} hostile fragments: no throw, fixed size, counters consistent, only the fragment's bytes read`, () => {
  const rng = new Xorshift32(0xf7a6);
  const table = new FragmentTable(CAPACITY);
  const bytesAtStart = table.byteLength;
  const record = createProbeRecord();
  const results = new Map<number, number>();
  let seconds = 1_700_000_000;
  let payload = payloadFor(rng);
  let handed = 0;
  let classifiedReturns = 0;
  const stray: number[] = [];
  for (let i = 0; i < STREAM_FRAGMENTS; i++) {
    if (rng.chance(0.05)) payload = payloadFor(rng);
    if (rng.chance(0.001)) seconds += rng.chance(0.5) ? 31 + rng.below(1000) : -rng.below(100); // time jumps both ways
    const frame = randomFragment(rng, payload);
    let kind = decodeFrame(frame, 0, frame.length, LinkType.Raw, record);
    if (kind === DecodeOutcome.Fragment) {
      handed++;
      const f = record.fragment;
      assert.ok(f.start >= 0 && f.captured >= 0 && f.start + f.captured <= frame.length && f.captured <= f.length, `fragment bounds at ${i}`);
      const before = table.counts.classified;
      if (i < WATCHED_FRAGMENTS) {
        const lo = f.start;
        const hi = f.start + f.captured;
        const watched = new Proxy(frame, {
          get(target, key) {
            if (typeof key === 'string' && /^-?\d/.test(key)) {
              const index = Number(key);
              if (!(index >= lo && index < hi)) stray.push(index);
              return target[index];
            }
            return Reflect.get(target, key, target) as unknown;
          },
        });
        kind = table.add(watched, record, seconds);
      } else {
        kind = table.add(frame, record, seconds);
      }
      if (table.counts.classified > before) classifiedReturns++;
      else assert.equal(kind, 0, `a fragment that completed nothing returned ${kind} at ${i}`);
    }
    assert.ok((kind >= 0 && kind < PROBE_KIND_SLOTS) || (kind < 0 && -kind < MALFORMED_REASON_SLOTS), `result ${kind} at ${i}`);
    results.set(kind, (results.get(kind) ?? 0) + 1);
  }
  const c = table.counts;
  assert.deepEqual(stray, [], 'the table read outside the fragment it was given');
  assert.equal(table.byteLength, bytesAtStart, 'the table grew');
  assert.ok(table.occupied <= CAPACITY);
  assert.equal(c.fragments, handed);
  assert.equal(c.classified + c.held + c.ignored, c.fragments, JSON.stringify(c));
  assert.equal(c.classified, classifiedReturns);
  // The stream must have exercised every path it claims to.
  for (const name of ['classified', 'held', 'ignored', 'duplicates', 'overlaps', 'evicted', 'expired'] as const) assert.ok(c[name] > 0, `${name} never happened: ${JSON.stringify(c)}`);
  assert.ok((results.get(1) ?? 0) > 0, 'no SYN was ever reassembled');
});
