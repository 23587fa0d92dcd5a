import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame } from '../../src/packets/decode-frame.js';
import { MAX_ENCAPSULATIONS } from '../../src/packets/decode-ip.js';
import { createProbeRecord, MalformedReason, ProbeKind } from '../../src/packets/probe-record.js';
import { LinkType } from '../../src/packets/syn-record.js';
import { concat, ethernetFrame, EtherType, ipv4Number, ipv4Packet, ipv6Packet, ipv6Words, tcpSegment, TcpFlags, udpDatagram } from '../../support/frames.js';
import {
  encapsulate, ENCAPSULATIONS, erspan2Header, GRE_PROTOCOL, greHeader, linkTypeOfEncapsulation, mplsStack, outerIp, pppoeSession, TunnelEtherType, vxlanHeader,
  type Encapsulation,
} from '../../support/encapsulations.js';
import { replayFixture } from './replay-fixture.js';

const record = createProbeRecord();
const decode = (frame: Uint8Array, linkType: number = LinkType.Ethernet): number => decodeFrame(frame, 0, frame.length, linkType, record);
const syn4 = (): Uint8Array => ipv4Packet({ src: '10.1.2.3', dst: '10.9.8.7' }, tcpSegment({ srcPort: 40001, dstPort: 22 }));
const syn6 = (): Uint8Array => ipv6Packet({ src: '2001:db8::a', dst: '2001:db8::b' }, tcpSegment({ srcPort: 40001, dstPort: 443 }));
/** Link types that carry only one IP version. */
const onlyV4 = new Set<Encapsulation>(['ipv4-link']);
const onlyV6 = new Set<Encapsulation>(['ipv6-link']);

for (const e of ENCAPSULATIONS) {
  test(`${e}: the innermost SYN is decoded with its own addresses and ports`, () => {
    for (const [innerV6, outerV6] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      if ((innerV6 && onlyV4.has(e)) || (!innerV6 && onlyV6.has(e))) continue;
      const frame = encapsulate(e, innerV6 ? syn6() : syn4(), outerV6);
      const where = `${e}, inner v${innerV6 ? 6 : 4}, outer v${outerV6 ? 6 : 4}`;
      assert.equal(decode(frame, linkTypeOfEncapsulation(e)), ProbeKind.Syn, where);
      assert.equal(record.family, innerV6 ? 6 : 4, where);
      if (innerV6) assert.deepEqual([...record.src6], ipv6Words('2001:db8::a'), where);
      else assert.deepEqual([record.src4, record.dst4], [ipv4Number('10.1.2.3'), ipv4Number('10.9.8.7')], where);
      assert.deepEqual([record.srcPort, record.dstPort], [40001, innerV6 ? 443 : 22], where);
      // Every strict prefix is a counted skip, never a probe with half-read addresses; a VXLAN or Geneve
      // datagram cut before its tunnel header was seen is an ordinary datagram to that port.
      const udpTunnel = e === 'vxlan' || e.startsWith('geneve');
      for (let cut = 0; cut < frame.length; cut++) {
        const kind = decodeFrame(frame, 0, cut, linkTypeOfEncapsulation(e), record);
        const udpToTunnelPort = udpTunnel && kind === ProbeKind.Udp && (record.dstPort === 4789 || record.dstPort === 6081);
        assert.ok(kind <= 0 || udpToTunnelPort || cut >= frame.length - 6, `${where}: cut at ${cut} gave kind ${kind}`);
      }
    }
  });
}

test('GRE version 1 (PPTP), routing present and unknown payloads are well-formed non-probes', () => {
  const ip = syn4();
  const gre = (header: Uint8Array, payload: Uint8Array): Uint8Array => ethernetFrame(EtherType.IPv4, outerIp(false, GRE_PROTOCOL, concat([header, payload])));
  assert.equal(decode(gre(greHeader(0x880b, { version: 1, key: true }), ip)), 0);
  const routing = greHeader(EtherType.IPv4);
  routing[0] |= 0x40;
  assert.equal(decode(gre(routing, ip)), 0);
  assert.equal(decode(gre(greHeader(0x0806), ip)), 0);
  assert.equal(decode(gre(greHeader(EtherType.IPv4, { key: true }), ip)), ProbeKind.Syn);
  // Flags that lengthen the header past the datagram: truncated, not a read past it.
  assert.equal(decode(gre(greHeader(EtherType.IPv4, { checksum: true, key: true, sequence: true }).subarray(0, 8), new Uint8Array(0))), -MalformedReason.Truncated);
});

test('ERSPAN: type II needs the sequence bit for its 8-byte header; without it the Ethernet frame follows at once (type I)', () => {
  const inner = ethernetFrame(EtherType.IPv4, syn4());
  const over = (sequence: boolean, payload: Uint8Array): Uint8Array => ethernetFrame(EtherType.IPv4, outerIp(false, GRE_PROTOCOL, concat([greHeader(TunnelEtherType.ERSPAN12, { sequence }), payload])));
  assert.equal(decode(over(true, concat([erspan2Header(), inner]))), ProbeKind.Syn);
  assert.equal(decode(over(false, inner)), ProbeKind.Syn);
  assert.notEqual(decode(over(false, concat([erspan2Header(), inner]))), ProbeKind.Syn);
});

test('VXLAN and Geneve: a datagram to the port whose header does not check out is an ordinary UDP probe', () => {
  const udp = (port: number, payload: Uint8Array): Uint8Array => ethernetFrame(EtherType.IPv4, ipv4Packet({ protocol: 17 }, udpDatagram(50000, port, payload)));
  assert.equal(decode(udp(4789, new Uint8Array(0))), ProbeKind.Udp); // a scanner's empty probe of the VXLAN port
  assert.equal(record.dstPort, 4789);
  assert.equal(decode(udp(4789, new Uint8Array(8))), ProbeKind.Udp); // I flag clear
  assert.equal(decode(udp(6081, Uint8Array.from([0x80, 0, 0x65, 0x58, 0, 0, 0, 0]))), ProbeKind.Udp); // Geneve version 2
  const inner = ethernetFrame(EtherType.IPv4, syn4());
  assert.equal(decode(udp(4789, concat([vxlanHeader(), inner]))), ProbeKind.Syn);
  // The source port does not make a tunnel: replies from 4789 are ordinary datagrams.
  assert.equal(decode(ethernetFrame(EtherType.IPv4, ipv4Packet({ protocol: 17 }, udpDatagram(4789, 50000, concat([vxlanHeader(), inner]))))), ProbeKind.Udp);
  // A tunnel header that checks out with its inner frame cut short is a counted skip.
  assert.equal(decode(udp(4789, concat([vxlanHeader(), inner.subarray(0, 20)]))), -MalformedReason.Truncated);
});

test('MPLS: the label stack is walked to bottom of stack; a stack past the bound is too deep; a non-IP payload is 0', () => {
  const mpls = (labels: Uint8Array, payload: Uint8Array): Uint8Array => ethernetFrame(TunnelEtherType.MPLS, concat([labels, payload]));
  assert.equal(decode(mpls(mplsStack(1), syn6())), ProbeKind.Syn);
  assert.equal(decode(mpls(mplsStack(16), syn4())), ProbeKind.Syn);
  assert.equal(decode(mpls(mplsStack(17), syn4())), -MalformedReason.TunnelTooDeep);
  const noBottom = mplsStack(5);
  noBottom[18] &= ~1;
  assert.equal(decode(mpls(noBottom, new Uint8Array(0))), -MalformedReason.Truncated); // the walk runs off the frame
  assert.equal(decode(mpls(mplsStack(2), Uint8Array.from([0, 0, 0, 0, ...ethernetFrame(EtherType.IPv4, syn4())]))), 0); // pseudowire
  assert.equal(decode(ethernetFrame(0x8848, concat([mplsStack(2), syn4()]))), ProbeKind.Syn);
});

test('PPPoE: inside QinQ tags; the PPPoE length bounds the packet; a bad version/type is a bad header', () => {
  assert.equal(decode(ethernetFrame(TunnelEtherType.PPPoESession, pppoeSession(syn4()), [{ tpid: EtherType.QinQ, vlan: 7 }, { vlan: 8 }])), ProbeKind.Syn);
  const bad = pppoeSession(syn4());
  bad[0] = 0x21;
  assert.equal(decode(ethernetFrame(TunnelEtherType.PPPoESession, bad)), -MalformedReason.BadHeader);
  const short = pppoeSession(syn4());
  short[5] = 2 + 20 + 4; // claims less than the TCP header it carries
  assert.ok(decode(ethernetFrame(TunnelEtherType.PPPoESession, short)) < 0);
  const lcp = Uint8Array.from([0x11, 0, 0x12, 0x34, 0, 6, 0xc0, 0x21, 1, 1, 0, 4]);
  assert.equal(decode(ethernetFrame(TunnelEtherType.PPPoESession, lcp)), 0);
});

test(`nested tunnels: up to ${MAX_ENCAPSULATIONS} decode, one more is TunnelTooDeep, for every mix of kinds`, () => {
  // Each step wraps an Ethernet frame into a tunnel carried by an Ethernet frame: one more encapsulation.
  const wrap: Array<(frame: Uint8Array) => Uint8Array> = [
    (frame) => encapsulate('gre-teb', frame.subarray(14)),
    (frame) => encapsulate('vxlan', frame.subarray(14), true),
    (frame) => encapsulate('geneve-eth', frame.subarray(14)),
    (frame) => encapsulate('erspan2', frame.subarray(14), true),
    (frame) => encapsulate('erspan3-platform', frame.subarray(14)),
  ];
  for (let mix = 0; mix < wrap.length; mix++) {
    let frame = ethernetFrame(EtherType.IPv4, syn4());
    for (let depth = 1; depth <= MAX_ENCAPSULATIONS + 1; depth++) {
      frame = wrap[(mix + depth) % wrap.length]!(frame);
      const expected = depth <= MAX_ENCAPSULATIONS ? ProbeKind.Syn : -MalformedReason.TunnelTooDeep;
      assert.equal(decode(frame), expected, `mix ${mix}, depth ${depth}`);
    }
  }
  // GRE carrying IP carrying GRE ... and MPLS/PPPoE in the chain count too.
  let ip = syn4();
  for (let depth = 1; depth <= MAX_ENCAPSULATIONS + 1; depth++) {
    ip = depth % 3 === 0 ? outerIp(false, ip[0] >> 4 === 6 ? 41 : 4, ip) : outerIp(depth % 2 === 0, GRE_PROTOCOL, concat([greHeader(ip[0] >> 4 === 6 ? EtherType.IPv6 : EtherType.IPv4), ip]));
    const kind = decode(ethernetFrame(TunnelEtherType.MPLS, concat([mplsStack(2), ip])));
    // The MPLS stack is one more encapsulation around the chain.
    assert.equal(kind, depth + 1 <= MAX_ENCAPSULATIONS ? ProbeKind.Syn : -MalformedReason.TunnelTooDeep, `GRE/IP-in-IP chain, depth ${depth}`);
  }
});

test('a stealth probe and a UDP probe inside a tunnel keep their own kinds', () => {
  const fin = ipv4Packet({}, tcpSegment({ flags: TcpFlags.FIN }));
  assert.equal(decode(encapsulate('vxlan', fin)), ProbeKind.Fin);
  assert.equal(decode(encapsulate('erspan3', ipv4Packet({ protocol: 17 }, udpDatagram(5353, 161)))), ProbeKind.Udp);
  assert.equal(record.dstPort, 161);
});

test('fixture: Ethernet over GRE (suricata-verify bug-2576-02) replays with the 1 SYN tshark counts, nothing malformed', async () => {
  const report = await replayFixture('OISF__suricata-verify__tests__bug-2576-02__temp1.pcap');
  assert.equal(report.capture.synPackets, 1);
  assert.equal(report.capture.malformed, 0);
  assert.equal(report.probes.client.synAck, 1); // the reply, inside the same tunnel
});
