import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSyn } from '../../src/packets/decode-syn.js';
import { createSynRecord, DecodeResult, LinkType } from '../../src/packets/syn-record.js';
import {
  EtherType, IpProtocol, LINUX_SYN_OPTIONS, TcpFlags, ethernetFrame, frameIp, ipv4Number, ipv4Packet, ipv6Packet,
  ipv6Words, linkTypeOf, nullFrame, sllFrame, tcpFrame, tcpSegment, udpDatagram,
  type Framing, type Ipv6Extension, type LinkKind,
} from '../../support/frames.js';

interface Decoded {
  result: DecodeResult;
  family?: 4 | 6;
  src?: number | number[];
  dst?: number | number[];
  srcPort?: number;
  dstPort?: number;
}

function decode(bytes: Uint8Array, linkType: number, length = bytes.length): Decoded {
  const record = createSynRecord();
  const result = decodeSyn(bytes, 0, length, linkType, record);
  if (result !== DecodeResult.Syn) return { result };
  const v4 = record.family === 4;
  return {
    result,
    family: record.family,
    src: v4 ? record.src4 : Array.from(record.src6),
    dst: v4 ? record.dst4 : Array.from(record.dst6),
    srcPort: record.srcPort,
    dstPort: record.dstPort,
  };
}

const v4Syn: Decoded = { result: DecodeResult.Syn, family: 4, src: ipv4Number('192.0.2.1'), dst: ipv4Number('198.51.100.2'), srcPort: 40000, dstPort: 80 };
const v6Syn: Decoded = { result: DecodeResult.Syn, family: 6, src: ipv6Words('2001:db8::1'), dst: ipv6Words('2001:db8::2'), srcPort: 40000, dstPort: 80 };
const links: LinkKind[] = ['ethernet', 'sll', 'sll2', 'raw', 'null'];

for (const link of links) {
  test(`${link}: an IPv4 and an IPv6 SYN yield addresses and ports`, () => {
    assert.deepEqual(decode(tcpFrame({ link }), linkTypeOf[link]), v4Syn);
    assert.deepEqual(decode(tcpFrame({ link, ipv6: {} }), linkTypeOf[link]), v6Syn);
    const high = tcpFrame({ link, ipv4: { src: '255.255.255.254', dst: '10.0.0.1' }, tcp: { srcPort: 65535, dstPort: 65534, options: LINUX_SYN_OPTIONS } });
    assert.deepEqual(decode(high, linkTypeOf[link]), { ...v4Syn, src: 0xfffffffe, dst: 0x0a000001, srcPort: 65535, dstPort: 65534 });
  });
}

test('raw IP under link types 12 and 14 (DLT_RAW of the BSDs) decodes by the version nibble', () => {
  for (const linkType of [LinkType.RawBsd, LinkType.RawOpenBsd, LinkType.Raw]) {
    assert.deepEqual(decode(tcpFrame({ link: 'raw' }), linkType), v4Syn);
    assert.deepEqual(decode(tcpFrame({ link: 'raw', ipv6: {} }), linkType), v6Syn);
  }
  const bogus = tcpFrame({ link: 'raw' });
  bogus[0] = 0x55;
  assert.equal(decode(bogus, LinkType.Raw).result, DecodeResult.Malformed);
  assert.equal(decode(new Uint8Array(0), LinkType.Raw).result, DecodeResult.Malformed);
});

test('null/loopback accepts the family in either byte order and every BSD value of AF_INET6', () => {
  for (const bigEndian of [false, true]) {
    assert.deepEqual(decode(tcpFrame({ link: 'null', bigEndian }), LinkType.Null), v4Syn);
    for (const inet6Family of [24, 28, 30]) {
      assert.deepEqual(decode(tcpFrame({ link: 'null', bigEndian, inet6Family, ipv6: {} }), LinkType.Null), v6Syn);
    }
  }
  const packet = ipv4Packet({}, tcpSegment());
  assert.equal(decode(nullFrame(7, packet), LinkType.Null).result, DecodeResult.Other, 'unknown family');
  assert.equal(decode(nullFrame(30, packet), LinkType.Null).result, DecodeResult.Malformed, 'IPv6 family, IPv4 bytes');
  assert.equal(decode(nullFrame(2, packet).subarray(0, 3), LinkType.Null).result, DecodeResult.Malformed);
});

test('an unknown link type is UnsupportedLink', () => {
  assert.equal(decode(tcpFrame({ link: 'ethernet' }), 147).result, DecodeResult.UnsupportedLink);
  assert.equal(decode(tcpFrame({ link: 'ethernet' }), -1).result, DecodeResult.UnsupportedLink);
});

test('ethernet: stacked 802.1Q, 802.1ad and 0x9100 tags are walked, up to 16 of them', () => {
  const tags = [{ tpid: EtherType.QinQ, vlan: 100 }, { tpid: EtherType.VLAN, vlan: 200 }, { tpid: EtherType.QinQOld, vlan: 300 }];
  assert.deepEqual(decode(tcpFrame({ link: 'ethernet', tags: tags.slice(0, 1) }), LinkType.Ethernet), v4Syn);
  assert.deepEqual(decode(tcpFrame({ link: 'ethernet', tags }), LinkType.Ethernet), v4Syn);
  assert.deepEqual(decode(tcpFrame({ link: 'ethernet', tags, ipv6: {} }), LinkType.Ethernet), v6Syn);
  const sixteen = Array.from({ length: 16 }, (_, i) => ({ vlan: i }));
  assert.deepEqual(decode(tcpFrame({ link: 'ethernet', tags: sixteen }), LinkType.Ethernet), v4Syn);
  const seventeen = Array.from({ length: 17 }, (_, i) => ({ vlan: i }));
  assert.equal(decode(tcpFrame({ link: 'ethernet', tags: seventeen }), LinkType.Ethernet).result, DecodeResult.Malformed);
  // A frame that ends inside its tags.
  assert.equal(decode(ethernetFrame(EtherType.VLAN, new Uint8Array(2)), LinkType.Ethernet).result, DecodeResult.Malformed);
});

test('linux cooked v1 with a VLAN tag libpcap put back at the protocol field', () => {
  const packet = ipv4Packet({}, tcpSegment());
  const inner = new Uint8Array(4 + packet.length);
  inner.set([0x00, 0x64, 0x08, 0x00]);
  inner.set(packet, 4);
  assert.deepEqual(decode(sllFrame(EtherType.VLAN, inner), LinkType.LinuxSll), v4Syn);
});

test('non-IP link payloads (ARP, 802.3 length field) are Other', () => {
  assert.equal(decode(ethernetFrame(EtherType.ARP, new Uint8Array(28)), LinkType.Ethernet).result, DecodeResult.Other);
  assert.equal(decode(ethernetFrame(46, new Uint8Array(46)), LinkType.Ethernet).result, DecodeResult.Other);
  assert.equal(decode(sllFrame(EtherType.ARP, new Uint8Array(28)), LinkType.LinuxSll).result, DecodeResult.Other);
});

test('ipv4: options of every length are skipped; IHL below 5 or past the datagram is Malformed', () => {
  for (let words = 1; words <= 10; words++) {
    const options = [0x94, 0x04, 0, 0, ...new Array<number>(words * 4 - 4).fill(1)]; // router alert, then NOPs
    assert.deepEqual(decode(tcpFrame({ link: 'ethernet', ipv4: { options } }), LinkType.Ethernet), v4Syn, `${words} option words`);
  }
  for (let ihl = 0; ihl < 5; ihl++) {
    assert.equal(decode(tcpFrame({ link: 'raw', ipv4: { headerWords: ihl } }), LinkType.Raw).result, DecodeResult.Malformed);
  }
  const bare = ipv4Packet({ headerWords: 15 }, new Uint8Array(0)); // 60-byte header claimed in a 20-byte packet
  assert.equal(decode(bare, LinkType.Raw).result, DecodeResult.Malformed);
});

test('ipv4: total length below the header is Malformed; 0 (TSO) means the captured length', () => {
  assert.equal(decode(tcpFrame({ link: 'raw', ipv4: { totalLength: 19 } }), LinkType.Raw).result, DecodeResult.Malformed);
  assert.equal(decode(tcpFrame({ link: 'raw', ipv4: { totalLength: 30 } }), LinkType.Raw).result, DecodeResult.Malformed);
  assert.deepEqual(decode(tcpFrame({ link: 'raw', ipv4: { totalLength: 0 } }), LinkType.Raw), v4Syn);
});

test('ipv4: Ethernet padding past the total length is never read as a TCP header', () => {
  // A 20-byte IPv4 header alone, padded to the 60-byte Ethernet minimum with bytes that look like a SYN.
  const header = ipv4Packet({}, new Uint8Array(0));
  const padded = ethernetFrame(EtherType.IPv4, new Uint8Array([...header, ...tcpSegment()]));
  assert.equal(decode(padded, LinkType.Ethernet).result, DecodeResult.Malformed);
  // And a real SYN followed by padding still decodes.
  const synPadded = ethernetFrame(EtherType.IPv4, new Uint8Array([...ipv4Packet({}, tcpSegment()), 0xff, 0xff, 0xff, 0xff]));
  assert.deepEqual(decode(synPadded, LinkType.Ethernet), v4Syn);
});

test('ipv4 fragments: non-first is Other, a first fragment carrying the TCP header is decoded', () => {
  for (const fragmentOffset of [1, 185, 0x1ffd]) {
    assert.equal(decode(tcpFrame({ link: 'ethernet', ipv4: { fragmentOffset } }), LinkType.Ethernet).result, DecodeResult.Other);
    assert.equal(decode(tcpFrame({ link: 'ethernet', ipv4: { fragmentOffset, moreFragments: true } }), LinkType.Ethernet).result, DecodeResult.Other);
  }
  // 20 bytes at offset 65528 end past the largest datagram (ping of death): forged, counted.
  assert.equal(decode(tcpFrame({ link: 'ethernet', ipv4: { fragmentOffset: 0x1fff } }), LinkType.Ethernet).result, DecodeResult.Malformed);
  assert.deepEqual(decode(tcpFrame({ link: 'ethernet', ipv4: { moreFragments: true } }), LinkType.Ethernet), v4Syn);
  // A tiny first fragment (8 bytes of TCP) cannot hold the flags: damage or evasion, counted.
  const tiny = ipv4Packet({ moreFragments: true }, tcpSegment().subarray(0, 8));
  assert.equal(decode(tiny, LinkType.Raw).result, DecodeResult.Malformed);
});

test('ipv6: hop-by-hop, routing, destination options, first fragment and AH are walked', () => {
  const chains: Ipv6Extension[][] = [
    [{ kind: 'hop-by-hop' }],
    [{ kind: 'routing', units: 2 }],
    [{ kind: 'destination', units: 5 }],
    [{ kind: 'fragment', more: true }],
    [{ kind: 'ah' }],
    [{ kind: 'hop-by-hop', units: 1 }, { kind: 'destination' }, { kind: 'routing', units: 4 }, { kind: 'fragment' }, { kind: 'ah', icvBytes: 16 }, { kind: 'destination' }],
  ];
  for (const extensions of chains) {
    assert.deepEqual(decode(tcpFrame({ link: 'ethernet', ipv6: { extensions } }), LinkType.Ethernet), v6Syn, JSON.stringify(extensions));
  }
});

test('ipv6: a non-first fragment, ESP, No Next Header, UDP and ICMPv6 are Other', () => {
  for (const offset of [1, 100, 0x1ffd]) {
    const frame = tcpFrame({ link: 'raw', ipv6: { extensions: [{ kind: 'hop-by-hop' }, { kind: 'fragment', offset }] } });
    assert.equal(decode(frame, LinkType.Raw).result, DecodeResult.Other);
  }
  const pastLargest = tcpFrame({ link: 'raw', ipv6: { extensions: [{ kind: 'fragment', offset: 0x1fff }] } });
  assert.equal(decode(pastLargest, LinkType.Raw).result, DecodeResult.Malformed, 'a fragment past 65535 bytes is forged');
  for (const protocol of [IpProtocol.ESP, IpProtocol.NoNext, IpProtocol.UDP, IpProtocol.ICMPv6]) {
    const frame = frameIp({ link: 'raw' }, ipv6Packet({ protocol, extensions: [{ kind: 'destination' }] }, udpDatagram(53, 53)));
    assert.equal(decode(frame, LinkType.Raw).result, DecodeResult.Other, `protocol ${protocol}`);
  }
});

test('ipv6: 16 extension headers are walked, a 17th is Malformed; a header past the datagram is Malformed', () => {
  const chain = (n: number): Ipv6Extension[] => Array.from({ length: n }, () => ({ kind: 'destination' }) as const);
  assert.deepEqual(decode(tcpFrame({ link: 'raw', ipv6: { extensions: chain(16) } }), LinkType.Raw), v6Syn);
  assert.equal(decode(tcpFrame({ link: 'raw', ipv6: { extensions: chain(17) } }), LinkType.Raw).result, DecodeResult.Malformed);
  const long = tcpFrame({ link: 'raw', ipv6: { extensions: [{ kind: 'hop-by-hop' }] } });
  long[41] = 200; // the hop-by-hop header now claims 1608 bytes
  assert.equal(decode(long, LinkType.Raw).result, DecodeResult.Malformed);
  const short = tcpFrame({ link: 'raw', ipv6: { payloadLength: 10, extensions: [{ kind: 'routing' }] } });
  assert.equal(decode(short, LinkType.Raw).result, DecodeResult.Malformed, 'TCP header past the payload length');
  assert.deepEqual(decode(tcpFrame({ link: 'raw', ipv6: { payloadLength: 0 } }), LinkType.Raw), v6Syn, 'jumbo/GSO length 0');
});

test('flags: SYN and SYN without ACK (with FIN, RST, PSH, URG) count; SYN-ACK, ACK, RST, FIN do not', () => {
  const S = TcpFlags;
  for (const flags of [S.SYN, S.SYN | S.FIN, S.SYN | S.RST, S.SYN | S.PSH | S.URG, 0xc2]) {
    assert.equal(decode(tcpFrame({ link: 'ethernet', tcp: { flags } }), LinkType.Ethernet).result, DecodeResult.Syn, `flags ${flags}`);
  }
  for (const flags of [S.SYN | S.ACK, S.ACK, S.RST, S.RST | S.ACK, S.FIN | S.ACK, S.PSH | S.ACK, 0, 0xff]) {
    assert.equal(decode(tcpFrame({ link: 'ethernet', tcp: { flags } }), LinkType.Ethernet).result, DecodeResult.Other, `flags ${flags}`);
    assert.equal(decode(tcpFrame({ link: 'ethernet', ipv6: {}, tcp: { flags } }), LinkType.Ethernet).result, DecodeResult.Other);
  }
});

test('tcp: data offset below 5 is Malformed; past the datagram (Mirai) or past a snaplen cut, ports and flags still count', () => {
  for (let dataOffset = 0; dataOffset < 5; dataOffset++) {
    assert.equal(decode(tcpFrame({ link: 'ethernet', tcp: { dataOffset } }), LinkType.Ethernet).result, DecodeResult.Malformed);
    assert.equal(decode(tcpFrame({ link: 'ethernet', ipv6: {}, tcp: { dataOffset } }), LinkType.Ethernet).result, DecodeResult.Malformed);
  }
  assert.equal(decode(tcpFrame({ link: 'ethernet', tcp: { dataOffset: 15 } }), LinkType.Ethernet).result, DecodeResult.Syn);
  assert.equal(decode(tcpFrame({ link: 'ethernet', ipv6: {}, tcp: { dataOffset: 6 } }), LinkType.Ethernet).result, DecodeResult.Syn);
  // tcpdump -s 68: a Linux SYN (40-byte TCP header) cut after 14 bytes of TCP still has ports and flags.
  const syn = tcpFrame({ link: 'ethernet', tcp: { options: LINUX_SYN_OPTIONS } });
  assert.deepEqual(decode(syn, LinkType.Ethernet, 14 + 20 + 14), v4Syn);
});

const truncationCases: Array<{ name: string; framing: Framing; frame: Uint8Array; tcpStart: number; expected: Decoded }> = [];
for (const link of links) {
  const framing: Framing = link === 'ethernet' ? { link, tags: [{ tpid: EtherType.QinQ, vlan: 7 }, { vlan: 8 }] } : { link };
  const linkBytes = { ethernet: 22, sll: 16, sll2: 20, raw: 0, null: 4 }[link];
  truncationCases.push({
    name: `${link} IPv4 with options`,
    framing,
    frame: tcpFrame({ ...framing, ipv4: { options: [1, 1, 1, 1, 1, 1, 1, 0] }, tcp: { options: LINUX_SYN_OPTIONS } }),
    tcpStart: linkBytes + 28,
    expected: v4Syn,
  });
  truncationCases.push({
    name: `${link} IPv6 with extension headers`,
    framing,
    frame: tcpFrame({ ...framing, ipv6: { extensions: [{ kind: 'hop-by-hop' }, { kind: 'fragment' }, { kind: 'ah' }] }, tcp: { options: LINUX_SYN_OPTIONS } }),
    tcpStart: linkBytes + 40 + 8 + 8 + 24,
    expected: v6Syn,
  });
}

for (const c of truncationCases) {
  test(`truncated at every length, ${c.name}: Malformed until ports and flags are captured, then the same SYN`, () => {
    const linkType = linkTypeOf[c.framing.link];
    assert.deepEqual(decode(c.frame, linkType), c.expected);
    for (let length = 0; length < c.frame.length; length++) {
      const got = decode(c.frame, linkType, length);
      if (length < c.tcpStart + 14) assert.equal(got.result, DecodeResult.Malformed, `length ${length}`);
      else assert.deepEqual(got, c.expected, `length ${length}`);
    }
  });
}

test('reads only data[offset, offset + length) and writes the record only for a SYN', () => {
  const frame = tcpFrame({ link: 'ethernet', ipv6: {} });
  const arena = new Uint8Array(frame.length + 64).fill(0xa5);
  arena.set(frame, 17);
  const record = createSynRecord();
  assert.equal(decodeSyn(arena, 17, frame.length, LinkType.Ethernet, record), DecodeResult.Syn);
  assert.deepEqual(Array.from(record.dst6), ipv6Words('2001:db8::2'));
  assert.equal(record.dstPort, 80);
  const before = JSON.stringify({ ...record, src6: Array.from(record.src6), dst6: Array.from(record.dst6) });
  const ack = tcpFrame({ link: 'ethernet', ipv4: { src: '1.2.3.4' }, tcp: { flags: TcpFlags.ACK, dstPort: 9 } });
  assert.equal(decodeSyn(ack, 0, ack.length, LinkType.Ethernet, record), DecodeResult.Other);
  assert.equal(JSON.stringify({ ...record, src6: Array.from(record.src6), dst6: Array.from(record.dst6) }), before);
});

test('frame bounds outside the buffer, negative or fractional are Malformed, not a throw', () => {
  const frame = tcpFrame({ link: 'ethernet' });
  const record = createSynRecord();
  for (const [offset, length] of [[0, frame.length + 1], [1, frame.length], [-1, 10], [0, -1], [0.5, 20], [0, Number.NaN], [Number.POSITIVE_INFINITY, 1]]) {
    assert.equal(decodeSyn(frame, offset, length, LinkType.Ethernet, record), DecodeResult.Malformed, `${offset}, ${length}`);
  }
});
