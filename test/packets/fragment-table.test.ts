import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame } from '../../src/packets/decode-frame.js';
import { FRAGMENT_LIFETIME_SECONDS, FragmentTable } from '../../src/packets/fragment-table.js';
import { createProbeRecord, DecodeOutcome, MalformedReason, ProbeKind, type ProbeRecord } from '../../src/packets/probe-record.js';
import { LinkType } from '../../src/packets/syn-record.js';
import { IpProtocol, ipv4Number, ipv6Words, LINUX_SYN_OPTIONS, TcpFlags, tcpSegment, udpDatagram } from '../../support/frames.js';
import { ipv4Fragment, ipv4Fragments, ipv6Fragment, ipv6Fragments, split } from './fragments.js';

const { SYN, ACK, FIN } = TcpFlags;
const SRC = '203.0.113.7';
const DST = '198.51.100.2';

/** Feeds raw-IP frames to a table; returns what each frame came to (0 for non-fragments that are nothing). */
function feed(table: FragmentTable, frames: Uint8Array[], seconds = 0, record: ProbeRecord = createProbeRecord()): number[] {
  return frames.map((frame) => {
    const kind = decodeFrame(frame, 0, frame.length, LinkType.Raw, record);
    return kind === DecodeOutcome.Fragment ? table.add(frame, record, seconds) : kind;
  });
}

function assertPartition(table: FragmentTable): void {
  const c = table.counts;
  assert.equal(c.classified + c.held + c.ignored, c.fragments, JSON.stringify(c));
}

test('nmap -f: a SYN in 8-byte IPv4 fragments (flags in the second) counts once, with its ports and addresses', () => {
  const table = new FragmentTable();
  const record = createProbeRecord();
  const segment = tcpSegment({ srcPort: 51234, dstPort: 443, flags: SYN, options: LINUX_SYN_OPTIONS });
  const frames = ipv4Fragments({ src: SRC, dst: DST, id: 0x4242 }, segment, [8, 8, 8, 8]);
  assert.equal(frames.length, 5);
  assert.deepEqual(feed(table, frames, 0, record), [0, ProbeKind.Syn, 0, 0, 0]);
  // feed() reuses the record: after the SYN it was overwritten by later fragments, so check with a fresh run.
  const again = new FragmentTable();
  const r = createProbeRecord();
  feed(again, frames.slice(0, 2), 0, r);
  assert.deepEqual([r.family, r.src4, r.dst4, r.srcPort, r.dstPort], [4, ipv4Number(SRC), ipv4Number(DST), 51234, 443]);
  assert.deepEqual(table.counts, { fragments: 5, classified: 1, held: 1, ignored: 3, duplicates: 0, overlaps: 0, evicted: 0, expired: 0 });
});

test('nmap -ff (16-byte fragments), in any order, duplicated: one SYN per datagram', () => {
  const segment = tcpSegment({ dstPort: 22, flags: SYN, options: LINUX_SYN_OPTIONS });
  const frames = ipv4Fragments({ src: SRC, dst: DST, id: 7 }, segment, [16, 16]);
  for (const order of [[0, 1, 2], [2, 1, 0], [1, 2, 0], [0, 0, 1, 1, 2, 2], [2, 0, 2, 1, 0]]) {
    const table = new FragmentTable();
    const results = feed(table, order.map((i) => frames[i]!));
    assert.equal(results.filter((k) => k === ProbeKind.Syn).length, 1, `order ${order.join(',')}`);
    assert.equal(results.filter((k) => k !== 0 && k !== ProbeKind.Syn).length, 0);
    assertPartition(table);
  }
});

test('a first fragment holding the whole header classifies at once; its later fragments count nothing', () => {
  const table = new FragmentTable();
  const segment = tcpSegment({ flags: SYN, options: LINUX_SYN_OPTIONS });
  const frames = ipv4Fragments({ id: 1 }, segment, [24]); // like the zeek capture: 24 bytes, then options
  assert.deepEqual(feed(table, [...frames, frames[0]!, frames[1]!]), [ProbeKind.Syn, 0, 0, 0]);
  assert.equal(table.counts.ignored, 3);
  assert.equal(table.occupied, 1);
});

test('IPv6: a SYN split before its flags counts once with the IPv6 addresses; an atomic fragment is no fragment', () => {
  const table = new FragmentTable();
  const record = createProbeRecord();
  const segment = tcpSegment({ dstPort: 8080, flags: SYN });
  const frames = ipv6Fragments({ src: '2001:db8::7', dst: '2001:db8::2' }, 0xdeadbeef, segment, [8]);
  const results = feed(table, frames, 0, record);
  assert.deepEqual(results, [0, ProbeKind.Syn]);
  assert.deepEqual([record.family, [...record.src6], [...record.dst6], record.dstPort], [6, ipv6Words('2001:db8::7'), ipv6Words('2001:db8::2'), 8080]);
  // Offset 0, M clear (RFC 6946): decoded as an unfragmented datagram, never through the table.
  const atomic = ipv6Fragment({}, 5, { offset: 0, more: false, bytes: segment });
  assert.equal(decodeFrame(atomic, 0, atomic.length, LinkType.Raw, record), ProbeKind.Syn);
});

test('same IP ID from different sources, protocols or families are different datagrams', () => {
  const table = new FragmentTable();
  const segment = tcpSegment({ flags: SYN });
  const a = ipv4Fragments({ src: '192.0.2.1', id: 9 }, segment, [8]);
  const b = ipv4Fragments({ src: '192.0.2.99', id: 9 }, segment, [8]);
  const c = ipv4Fragments({ src: '192.0.2.1', id: 9, protocol: IpProtocol.UDP }, udpDatagram(1, 53, new Uint8Array(20)), [8]);
  assert.deepEqual(feed(table, [a[0]!, b[0]!, c[0]!, b[1]!, a[1]!, c[1]!]), [0, 0, ProbeKind.Udp, ProbeKind.Syn, ProbeKind.Syn, 0]);
});

test('IPv4 overlaps: first wins (held bytes stay), counted; an identical repeat is a duplicate', () => {
  const table = new FragmentTable();
  const record = createProbeRecord();
  const real = split(tcpSegment({ srcPort: 1111, dstPort: 25, flags: SYN }), [8]);
  const forged = split(tcpSegment({ srcPort: 2222, dstPort: 9999, flags: ACK }), [8]);
  const spec = { id: 77 };
  const results = feed(table, [ipv4Fragment(spec, real[0]!), ipv4Fragment(spec, real[0]!), ipv4Fragment(spec, forged[0]!), ipv4Fragment(spec, real[1]!)], 0, record);
  assert.deepEqual(results, [0, 0, 0, ProbeKind.Syn]);
  assert.deepEqual([record.srcPort, record.dstPort], [1111, 25]);
  assert.equal(table.counts.duplicates, 1);
  assert.equal(table.counts.overlaps, 1);
  assertPartition(table);
});

test('IPv6 overlaps discard the datagram (RFC 5722): nothing counts, the overlap does', () => {
  const table = new FragmentTable();
  const pieces = split(tcpSegment({ flags: SYN }), [8]);
  const overlapping = { offset: 0, more: true, bytes: tcpSegment({ srcPort: 1, flags: SYN }).subarray(0, 16) };
  const results = feed(table, [ipv6Fragment({}, 3, pieces[0]!), ipv6Fragment({}, 3, overlapping), ipv6Fragment({}, 3, pieces[1]!)]);
  assert.deepEqual(results, [0, 0, 0]);
  assert.equal(table.counts.overlaps, 1);
  assertPartition(table);
});

test('a full table evicts the oldest unfinished datagram (counted); its later fragments then count nothing', () => {
  const table = new FragmentTable(4);
  const datagrams = [1, 2, 3, 4, 5].map((id) => ipv4Fragments({ id }, tcpSegment({ dstPort: id, flags: SYN }), [8]));
  feed(table, datagrams.map((d) => d[0]!)); // five first halves into four slots: datagram 1 is pushed out
  assert.equal(table.counts.evicted, 1);
  assert.equal(table.occupied, 4);
  const results = feed(table, [4, 3, 2, 1, 0].map((i) => datagrams[i]![1]!));
  assert.deepEqual(results, [ProbeKind.Syn, ProbeKind.Syn, ProbeKind.Syn, ProbeKind.Syn, 0]);
  // The evicted datagram's second half took the oldest slot, whose datagram was done: no further eviction.
  assert.equal(table.counts.evicted, 1);
  assertPartition(table);
});

test(`an unfinished datagram expires after ${FRAGMENT_LIFETIME_SECONDS} s of packet time`, () => {
  const table = new FragmentTable();
  const frames = ipv4Fragments({ id: 5 }, tcpSegment({ flags: SYN }), [8]);
  feed(table, [frames[0]!], 1000);
  assert.deepEqual(feed(table, [frames[1]!], 1000 + FRAGMENT_LIFETIME_SECONDS + 1), [0]);
  assert.equal(table.counts.expired, 1);
  // Within the lifetime it completes.
  const fresh = new FragmentTable();
  feed(fresh, [frames[0]!], 1000);
  assert.deepEqual(feed(fresh, [frames[1]!], 1000 + FRAGMENT_LIFETIME_SECONDS), [ProbeKind.Syn]);
});

test('nmap -sA -f: a bare ACK is a probe once its last fragment shows no payload; with payload it is nothing', () => {
  const bare = ipv4Fragments({ id: 10 }, tcpSegment({ flags: ACK }), [8, 8]);
  assert.deepEqual(feed(new FragmentTable(), bare), [0, 0, ProbeKind.Ack]);
  assert.deepEqual(feed(new FragmentTable(), [bare[2]!, bare[0]!, bare[1]!]), [0, 0, ProbeKind.Ack]);
  const data = ipv4Fragments({ id: 11 }, tcpSegment({ flags: ACK, payload: new Uint8Array(40) }), [8, 8]);
  assert.deepEqual(feed(new FragmentTable(), data), [0, 0, 0]);
  const finAck = ipv4Fragments({ id: 12 }, tcpSegment({ flags: FIN | ACK }), [16]);
  assert.deepEqual(feed(new FragmentTable(), finAck), [0, ProbeKind.Maimon]);
});

test('UDP and ICMP echo in fragments: classified from the first fragment, once', () => {
  const udp = ipv4Fragments({ id: 20, protocol: IpProtocol.UDP }, udpDatagram(5353, 161, new Uint8Array(3000)), [1480, 1480]);
  assert.deepEqual(feed(new FragmentTable(), udp), [ProbeKind.Udp, 0, 0]);
  const echo = new Uint8Array(3008);
  echo[0] = 8; // echo request
  const ping = ipv4Fragments({ id: 21, protocol: 1 }, echo, [1480, 1480]);
  assert.deepEqual(feed(new FragmentTable(), ping.reverse()), [0, 0, ProbeKind.IcmpEcho]);
  const ping6 = new Uint8Array(2000);
  ping6[0] = 128;
  assert.deepEqual(feed(new FragmentTable(), ipv6Fragments({ protocol: IpProtocol.ICMPv6 }, 1, ping6, [1232])), [ProbeKind.IcmpEcho, 0]);
});

test('a whole datagram too short for its header is BadHeader; a TCP header with data offset < 5 too', () => {
  const short = ipv4Fragments({ id: 30 }, tcpSegment({ flags: SYN }).subarray(0, 12), [8]);
  assert.deepEqual(feed(new FragmentTable(), short), [0, -MalformedReason.BadHeader]);
  const bad = ipv4Fragments({ id: 31 }, tcpSegment({ flags: SYN, dataOffset: 2 }), [8]);
  assert.deepEqual(feed(new FragmentTable(), bad), [0, -MalformedReason.BadHeader]);
});

test('the table allocates nothing after construction: its arrays keep their size', () => {
  const table = new FragmentTable(64);
  const before = table.byteLength;
  for (let id = 0; id < 1000; id++) feed(table, ipv4Fragments({ id }, tcpSegment({ flags: SYN }), [8]).slice(0, 1));
  assert.equal(table.byteLength, before);
  assert.equal(table.occupied, 64);
  assert.equal(table.counts.evicted, 1000 - 64);
});

test('two probes whose IP IDs collide are two datagrams: bytes that contradict a classified one start a new one', () => {
  const table = new FragmentTable();
  const first = ipv4Fragments({ src: SRC, dst: DST, id: 4242 }, tcpSegment({ dstPort: 22, flags: SYN }), [8, 8]);
  const second = ipv4Fragments({ src: SRC, dst: DST, id: 4242 }, tcpSegment({ dstPort: 443, flags: SYN }), [8, 8]);
  const results = feed(table, [...first, ...second, ...second]);
  assert.equal(results.filter((k) => k === ProbeKind.Syn).length, 2, 'each probe once; the repeated second one is a duplicate');
  assertPartition(table);
});
