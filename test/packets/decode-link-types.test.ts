import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame } from '../../src/packets/decode-frame.js';
import { createProbeRecord, MalformedReason, ProbeKind } from '../../src/packets/probe-record.js';
import { LinkType } from '../../src/packets/syn-record.js';
import { concat, EtherType, ipv4Number, ipv4Packet, ipv6Packet, tcpSegment, TcpFlags, udpDatagram } from '../../support/frames.js';
import { ciscoHdlcFrame, nflogFrame, pppFrame, radiotapFrame, TunnelEtherType, mplsStack, wlanDataFrame } from '../../support/encapsulations.js';
import { replayFixture } from './replay-fixture.js';

const record = createProbeRecord();
const decode = (frame: Uint8Array, linkType: number): number => decodeFrame(frame, 0, frame.length, linkType, record);
const syn4 = (): Uint8Array => ipv4Packet({ src: '10.1.2.3', dst: '10.9.8.7' }, tcpSegment({ srcPort: 40001, dstPort: 22 }));
const syn6 = (): Uint8Array => ipv6Packet({}, tcpSegment({ dstPort: 443 }));

test('LINKTYPE_IPV4 (228) and LINKTYPE_IPV6 (229) take only their own version', () => {
  assert.equal(decode(syn4(), LinkType.Ipv4), ProbeKind.Syn);
  assert.equal(decode(syn6(), LinkType.Ipv6), ProbeKind.Syn);
  assert.equal(decode(syn6(), LinkType.Ipv4), -MalformedReason.BadHeader);
  assert.ok(decode(syn4(), LinkType.Ipv6) < 0);
});

test('PPP (9) and PPP in HDLC-like framing (50): with or without FF 03, 2-byte or compressed protocol; LCP is 0', () => {
  for (const linkType of [LinkType.Ppp, LinkType.PppHdlc]) {
    for (const [addressControl, compressed] of [[true, false], [false, false], [true, true], [false, true]] as const) {
      assert.equal(decode(pppFrame(syn4(), addressControl, compressed), linkType), ProbeKind.Syn);
      assert.equal(record.dst4, ipv4Number('10.9.8.7'));
      assert.equal(decode(pppFrame(syn6(), addressControl, compressed), linkType), ProbeKind.Syn);
    }
    assert.equal(decode(Uint8Array.from([0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4]), linkType), 0);
    assert.equal(decode(Uint8Array.from([0xff, 0x03, 0x00]), linkType), -MalformedReason.Truncated);
  }
});

test('Cisco HDLC (104): the EtherType after address and control, MPLS included', () => {
  assert.equal(decode(ciscoHdlcFrame(EtherType.IPv4, syn4()), LinkType.CiscoHdlc), ProbeKind.Syn);
  assert.equal(decode(ciscoHdlcFrame(EtherType.IPv6, syn6()), LinkType.CiscoHdlc), ProbeKind.Syn);
  assert.equal(decode(ciscoHdlcFrame(TunnelEtherType.MPLS, concat([mplsStack(2), syn4()])), LinkType.CiscoHdlc), ProbeKind.Syn);
  assert.equal(decode(ciscoHdlcFrame(0x8035, new Uint8Array(20)), LinkType.CiscoHdlc), 0); // SLARP keepalive
  assert.equal(decode(Uint8Array.from([0x0f, 0x00, 0x08]), LinkType.CiscoHdlc), -MalformedReason.Truncated);
});

test('NFLOG (239): the payload attribute in either byte order, after padded attributes; the family picks the IP version', () => {
  for (const bigEndian of [false, true]) {
    assert.equal(decode(nflogFrame(syn4(), bigEndian), LinkType.Nflog), ProbeKind.Syn);
    assert.equal(record.src4, ipv4Number('10.1.2.3'));
    assert.equal(decode(nflogFrame(syn6(), bigEndian), LinkType.Nflog), ProbeKind.Syn);
  }
  const noPayload = nflogFrame(syn4()).subarray(0, 4 + 8 + 12);
  assert.equal(decode(noPayload, LinkType.Nflog), 0);
  const zeroLength = nflogFrame(syn4());
  zeroLength[4] = 0;
  assert.equal(decode(zeroLength, LinkType.Nflog), -MalformedReason.BadHeader);
  // Attributes past the bound (4-byte empty ones, a hostile log) are a counted skip, not a long walk.
  const many = new Uint8Array(4 + 4 * 200);
  many[0] = 2;
  for (let p = 4; p < many.length; p += 4) many.set([4, 0, 2, 0], p);
  assert.equal(decode(many, LinkType.Nflog), -MalformedReason.BadHeader);
  const unknownFamily = nflogFrame(syn4());
  unknownFamily[0] = 7; // AF_BRIDGE
  assert.equal(decode(unknownFamily, LinkType.Nflog), 0);
});

test('802.11 (105): data frames by header shape; protected, management, null-function and non-SNAP frames are 0', () => {
  for (const spec of [{}, { qos: true }, { toDs: true, fromDs: true }, { toDs: true, fromDs: true, qos: true, order: true }, { qos: true, order: true }, { fromDs: true }]) {
    assert.equal(decode(wlanDataFrame(EtherType.IPv4, syn4(), spec), LinkType.Ieee80211), ProbeKind.Syn, JSON.stringify(spec));
    assert.equal(record.dstPort, 22);
  }
  assert.equal(decode(wlanDataFrame(EtherType.IPv4, syn4(), { protectedFrame: true }), LinkType.Ieee80211), 0);
  const beacon = wlanDataFrame(EtherType.IPv4, syn4());
  beacon[0] = 0x80; // management, beacon
  assert.equal(decode(beacon, LinkType.Ieee80211), 0);
  const nullFunction = wlanDataFrame(EtherType.IPv4, syn4());
  nullFunction[0] = 0x48;
  assert.equal(decode(nullFunction, LinkType.Ieee80211), 0);
  const notSnap = wlanDataFrame(EtherType.IPv4, syn4());
  notSnap[24] = 0x42;
  assert.equal(decode(notSnap, LinkType.Ieee80211), 0);
  const udp = wlanDataFrame(EtherType.IPv6, ipv6Packet({ protocol: 17 }, udpDatagram(1, 53)), { qos: true });
  assert.equal(decode(udp, LinkType.Ieee80211), ProbeKind.Udp);
});

test('radiotap (127): its own little-endian length skips to the 802.11 frame; a bad version or length is a bad header', () => {
  const fin = ipv4Packet({}, tcpSegment({ flags: TcpFlags.FIN }));
  assert.equal(decode(radiotapFrame(wlanDataFrame(EtherType.IPv4, fin)), LinkType.Radiotap), ProbeKind.Fin);
  assert.equal(decode(radiotapFrame(wlanDataFrame(EtherType.IPv6, syn6(), { qos: true }), true), LinkType.Radiotap), ProbeKind.Syn);
  const badVersion = radiotapFrame(wlanDataFrame(EtherType.IPv4, fin));
  badVersion[0] = 1;
  assert.equal(decode(badVersion, LinkType.Radiotap), -MalformedReason.BadHeader);
  const tooLong = radiotapFrame(wlanDataFrame(EtherType.IPv4, fin));
  tooLong[3] = 0xff;
  assert.equal(decode(tooLong, LinkType.Radiotap), -MalformedReason.Truncated);
});

test('live capture: the DLT numbers libpcap reports on Linux for these link types are LINKTYPEs the decoder takes', () => {
  for (const linkType of [9, 12, 50, 104, 105, 127, 228, 229, 239]) {
    assert.notEqual(decode(new Uint8Array(0), linkType), -MalformedReason.UnsupportedLink, `link type ${linkType}`);
  }
});

test('fixture: a LINKTYPE_IPV4 capture (suricata-verify linktype-228) replays with the 1 SYN tshark counts', async () => {
  const report = await replayFixture('OISF__suricata-verify__tests__linktype-228__flow-test-01.pcap');
  assert.equal(report.capture.synPackets, 1);
  assert.equal(report.capture.malformed, 0);
  assert.equal(report.probes.client.synAck, 1);
});
