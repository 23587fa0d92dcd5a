import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFrame } from '../../../src/packets/decode-frame.js';
import { decodeSyn } from '../../../src/packets/decode-syn.js';
import { createProbeRecord, DecodeOutcome } from '../../../src/packets/probe-record.js';
import { createSynRecord, DecodeResult, LinkType } from '../../../src/packets/syn-record.js';
import { SYN_FILTER_TAGGED, SYN_FILTER_UNTAGGED, synFilterFor } from '../../../src/sources/live/bpf-filter.js';
import { EtherType, frameIp, IpProtocol, ipv6Packet, TcpFlags, tcpFrame, tcpSegment, udpDatagram, ipv4Packet, type Framing, type Ipv6Extension } from '../../../support/frames.js';
import { DEFAULT_START_MICROS, writePcap } from '../../../support/capture-writers.js';

const { SYN, ACK, RST, FIN, PSH } = TcpFlags;
const ECE_CWR = 0xc0;

interface Case {
  name: string;
  frame: Uint8Array;
  passes: boolean;
}

function cases(framing: Framing): Case[] {
  const v4 = (flags: number, extra: object = {}): Uint8Array => tcpFrame({ ...framing, ipv4: { ...extra }, tcp: { flags } });
  const v6 = (flags: number, extensions: Ipv6Extension[] = []): Uint8Array => tcpFrame({ ...framing, ipv6: { extensions }, tcp: { flags } });
  const icmp6AfterHopByHop = frameIp(framing, ipv6Packet({ extensions: [{ kind: 'hop-by-hop' }], protocol: IpProtocol.ICMPv6 }, new Uint8Array(24)));
  // Fragments of TCP datagrams pass whatever their bytes: only reassembly says what they are (nmap -f).
  const v4LaterFragment = frameIp(framing, ipv4Packet({ fragmentOffset: 10 }, tcpSegment({ flags: SYN })));
  const syn = tcpSegment({ flags: SYN });
  const v4TinyFirst = frameIp(framing, ipv4Packet({ moreFragments: true }, syn.subarray(0, 8)));
  const v4FlagsFragment = frameIp(framing, ipv4Packet({ fragmentOffset: 1 }, syn.subarray(8)));
  const v4UdpFragment = frameIp(framing, ipv4Packet({ protocol: IpProtocol.UDP, moreFragments: true }, udpDatagram(1, 2, new Uint8Array(32))));
  const v4SynAckDontFragment = v4(SYN | ACK);
  v4SynAckDontFragment[v4SynAckDontFragment.length - 40 + 6] |= 0x40; // DF alone is no fragment
  const v6TinyFirst = frameIp(framing, ipv6Packet({ extensions: [{ kind: 'fragment', more: true }] }, syn.subarray(0, 8)));
  const v6FlagsFragment = frameIp(framing, ipv6Packet({ extensions: [{ kind: 'fragment', offset: 1 }] }, syn.subarray(8)));
  const v6UdpFragment = frameIp(framing, ipv6Packet({ protocol: IpProtocol.UDP, extensions: [{ kind: 'fragment', more: true }] }, udpDatagram(1, 2, new Uint8Array(32))));
  return [
    { name: 'IPv4 SYN', frame: v4(SYN), passes: true },
    { name: 'IPv4 SYN with ECN flags', frame: v4(SYN | ECE_CWR), passes: true },
    { name: 'IPv4 SYN after IP options', frame: v4(SYN, { options: [1, 1, 1, 0] }), passes: true },
    { name: 'IPv4 SYN+FIN (a scan, still no ACK)', frame: v4(SYN | FIN), passes: true },
    { name: 'IPv4 SYN-ACK', frame: v4(SYN | ACK), passes: false },
    { name: 'IPv4 ACK', frame: v4(ACK), passes: false },
    { name: 'IPv4 RST', frame: v4(RST), passes: false },
    { name: 'IPv4 RST-ACK', frame: v4(RST | ACK), passes: false },
    { name: 'IPv4 data', frame: tcpFrame({ ...framing, tcp: { flags: PSH | ACK, payload: [1, 2, 3, 4] } }), passes: false },
    { name: 'IPv4 FIN-ACK', frame: v4(FIN | ACK), passes: false },
    { name: 'IPv4 later fragment', frame: v4LaterFragment, passes: true },
    { name: 'IPv4 tiny first fragment (nmap -f: 8 bytes of TCP)', frame: v4TinyFirst, passes: true },
    { name: 'IPv4 second fragment holding the flags', frame: v4FlagsFragment, passes: true },
    { name: 'IPv4 UDP fragment', frame: v4UdpFragment, passes: false },
    { name: 'IPv4 SYN-ACK with DF set', frame: v4SynAckDontFragment, passes: false },
    { name: 'IPv4 UDP', frame: frameIp(framing, ipv4Packet({ protocol: IpProtocol.UDP }, udpDatagram(1, 2, new Uint8Array(16).fill(2)))), passes: false },
    { name: 'IPv6 SYN', frame: v6(SYN), passes: true },
    { name: 'IPv6 SYN after hop-by-hop', frame: v6(SYN, [{ kind: 'hop-by-hop' }]), passes: true },
    { name: 'IPv6 SYN after a long hop-by-hop', frame: v6(SYN, [{ kind: 'hop-by-hop', units: 2 }]), passes: true },
    { name: 'IPv6 SYN after routing', frame: v6(SYN, [{ kind: 'routing', units: 1 }]), passes: true },
    { name: 'IPv6 SYN after destination options', frame: v6(SYN, [{ kind: 'destination' }]), passes: true },
    { name: 'IPv6 SYN in a first fragment', frame: v6(SYN, [{ kind: 'fragment', offset: 0, more: true }]), passes: true },
    { name: 'IPv6 SYN after AH', frame: v6(SYN, [{ kind: 'ah', icvBytes: 12 }]), passes: true },
    { name: 'IPv6 SYN after two extension headers (left to the decoder)', frame: v6(SYN, [{ kind: 'hop-by-hop' }, { kind: 'destination' }]), passes: true },
    { name: 'IPv6 SYN-ACK', frame: v6(SYN | ACK), passes: false },
    { name: 'IPv6 ACK', frame: v6(ACK), passes: false },
    { name: 'IPv6 RST', frame: v6(RST), passes: false },
    { name: 'IPv6 ACK after hop-by-hop', frame: v6(ACK, [{ kind: 'hop-by-hop', units: 1 }]), passes: false },
    { name: 'IPv6 ACK after AH', frame: v6(ACK, [{ kind: 'ah', icvBytes: 12 }]), passes: false },
    { name: 'IPv6 later fragment', frame: v6(SYN, [{ kind: 'fragment', offset: 5 }]), passes: true },
    { name: 'IPv6 tiny first fragment', frame: v6TinyFirst, passes: true },
    { name: 'IPv6 second fragment holding the flags', frame: v6FlagsFragment, passes: true },
    { name: 'IPv6 UDP fragment', frame: v6UdpFragment, passes: false },
    { name: 'IPv6 SYN-ACK in an atomic fragment', frame: v6(SYN | ACK, [{ kind: 'fragment', offset: 0, more: false }]), passes: false },
    { name: 'IPv6 MLD report (hop-by-hop, then ICMPv6)', frame: icmp6AfterHopByHop, passes: false },
  ];
}

/** Indices of the records in a pcap that tcpdump's compiled `filter` accepts. */
function tcpdumpMatches(dir: string, linkType: number, frames: Uint8Array[], filter: string): Set<number> {
  const file = join(dir, `frames-${linkType}.pcap`);
  writePcap(file, linkType, frames);
  const out = execFileSync('tcpdump', ['-nn', '-tt', '-r', file, filter], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const matched = new Set<number>();
  for (const line of out.split('\n')) {
    const stamp = /^(\d+)\.(\d{6})/.exec(line);
    if (stamp) matched.add(Math.round((Number(stamp[1]) * 1e6 + Number(stamp[2]) - DEFAULT_START_MICROS) / 1000));
  }
  return matched;
}

function checkFraming(framing: Framing, linkType: number, filter: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'peng-bpf-'));
  try {
    const list = cases(framing);
    const matched = tcpdumpMatches(
      dir,
      linkType,
      list.map((c) => c.frame),
      filter,
    );
    const record = createSynRecord();
    const probe = createProbeRecord();
    for (const [i, c] of list.entries()) {
      assert.equal(matched.has(i), c.passes, `${c.name}: filter ${c.passes ? 'must pass' : 'must drop'} it`);
      // The filter may let extra frames through, but never drops one the decoder would count.
      if (decodeSyn(c.frame, 0, c.frame.length, linkType, record) === DecodeResult.Syn) assert.ok(matched.has(i), `${c.name}: decoder counts it, filter drops it`);
      // Nor one the fragment table may need to complete a TCP header.
      const tcpFragment = decodeFrame(c.frame, 0, c.frame.length, linkType, probe) === DecodeOutcome.Fragment && probe.fragment.protocol === IpProtocol.TCP;
      if (tcpFragment) assert.ok(matched.has(i), `${c.name}: a TCP fragment the filter drops`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('Ethernet: only connection-opening TCP passes the kernel filter, IPv4 and IPv6 (tcpdump compiles it)', () => {
  checkFraming({ link: 'ethernet' }, LinkType.Ethernet, SYN_FILTER_TAGGED);
});

test('802.1Q-tagged frames get the same verdicts', () => {
  checkFraming({ link: 'ethernet', tags: [{ vlan: 7 }] }, LinkType.Ethernet, SYN_FILTER_TAGGED);
});

test('QinQ (802.1ad outer, 802.1Q inner) frames get the same verdicts', () => {
  checkFraming({ link: 'ethernet', tags: [{ tpid: EtherType.QinQ, vlan: 100 }, { vlan: 7 }] }, LinkType.Ethernet, SYN_FILTER_TAGGED);
});

test('Linux cooked (-network any) frames get the same verdicts from the untagged filter', () => {
  checkFraming({ link: 'sll' }, LinkType.LinuxSll, SYN_FILTER_UNTAGGED);
});

test('raw IP links get the same verdicts from the untagged filter', () => {
  checkFraming({ link: 'raw' }, LinkType.Raw, SYN_FILTER_UNTAGGED);
});

test('the VLAN clause is only used where libpcap supports it (Ethernet)', () => {
  assert.equal(synFilterFor(LinkType.Ethernet), SYN_FILTER_TAGGED);
  for (const type of [LinkType.LinuxSll, LinkType.LinuxSll2, LinkType.Raw, LinkType.Null]) assert.equal(synFilterFor(type), SYN_FILTER_UNTAGGED);
});
