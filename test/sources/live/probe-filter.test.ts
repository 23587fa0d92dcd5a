import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFrame } from '../../../src/packets/decode-frame.js';
import { createProbeRecord, DecodeOutcome, PROBE_KIND_NAMES } from '../../../src/packets/probe-record.js';
import { DEFAULT_PROBE_SETS, PROBE_SET_NAMES, probeKindMask, type ProbeSetName } from '../../../src/packets/probe-set.js';
import { LinkType } from '../../../src/packets/syn-record.js';
import { FILTER_VLAN_DEPTH, filterVlanDepth, probeFilterFor, probeFilterTagged } from '../../../src/sources/live/bpf-filter.js';
import { concat, ethernetFrame, EtherType, frameIp, IpProtocol, ipv4Packet, ipv6Packet, TcpFlags, tcpSegment, udpDatagram, type Framing, type Ipv6Extension } from '../../../support/frames.js';
import { genevePacket, greHeader, outerIp, vxlanHeader, GRE_PROTOCOL } from '../../../support/encapsulations.js';
import { DEFAULT_START_MICROS, writePcap } from '../../../support/capture-writers.js';
import { icmpEcho } from '../../packets/probe-packets.js';

/**
 * The kernel filter for each `-probes` selection passes exactly what the decoder would count under that
 * selection's mask, and nothing else: tcpdump compiles and runs the filter, the decoder is the oracle.
 * Exceptions by design: every fragment of an enabled protocol (only reassembly can judge it), IPv6 chains of
 * two or more extension headers (left to the decoder), and tunnels, which pass whole when `tunnels` is on.
 */

const { SYN, ACK, RST, FIN, PSH, URG } = TcpFlags;
const DATA = [1, 2, 3, 4, 5, 6, 7, 8];

interface Sample {
  name: string;
  frame: Uint8Array;
  tunnel?: boolean;
  longChain?: boolean;
}

/** ICMP destination unreachable (v4 type 3, v6 type 1) quoting a UDP datagram to port 53. */
function unreachable(v6: boolean): Uint8Array {
  const quoted = v6 ? ipv6Packet({ protocol: IpProtocol.UDP }, udpDatagram(40000, 53)) : ipv4Packet({ protocol: IpProtocol.UDP }, udpDatagram(40000, 53));
  const icmp = concat([Uint8Array.from([v6 ? 1 : 3, 3, 0, 0, 0, 0, 0, 0]), quoted]);
  return v6 ? ipv6Packet({ protocol: IpProtocol.ICMPv6 }, icmp) : ipv4Packet({ protocol: 1 }, icmp);
}

function samples(framing: Framing): Sample[] {
  const flagSets: [string, number, number[]][] = [
    ['SYN', SYN, []], ['SYN+ECN', SYN | 0xc0, []], ['SYN-FIN', SYN | FIN, []], ['SYN-ACK', SYN | ACK, []], ['RST', RST, []], ['RST-ACK', RST | ACK, []],
    ['FIN', FIN, []], ['NULL', 0, []], ['Xmas', FIN | PSH | URG, []], ['FIN-ACK', FIN | ACK, []], ['FIN-ACK data', FIN | ACK, DATA], ['FIN-PSH-ACK data', FIN | PSH | ACK, DATA],
    ['ACK', ACK, []], ['ACK data', ACK, DATA], ['PSH-ACK data', PSH | ACK, DATA], ['URG-ACK', URG | ACK, []],
  ];
  const out: Sample[] = [];
  const v6Placements: [string, Ipv6Extension[]][] = [['', []], [' after hop-by-hop', [{ kind: 'hop-by-hop', units: 1 }]], [' after routing', [{ kind: 'routing', units: 1 }]], [' in an atomic fragment', [{ kind: 'fragment' }]], [' after AH', [{ kind: 'ah', icvBytes: 12 }]]];
  for (const [name, flags, payload] of flagSets) {
    out.push({ name: `IPv4 ${name}`, frame: frameIp(framing, ipv4Packet({}, tcpSegment({ flags, payload }))) });
    out.push({ name: `IPv4 ${name} after options`, frame: frameIp(framing, ipv4Packet({ options: [1, 1, 1, 0] }, tcpSegment({ flags, payload, options: [1, 1, 1, 1] }))) });
    for (const [where, extensions] of v6Placements) out.push({ name: `IPv6 ${name}${where}`, frame: frameIp(framing, ipv6Packet({ extensions }, tcpSegment({ flags, payload }))) });
  }
  for (const [where, extensions] of v6Placements) {
    out.push({ name: `IPv6 UDP${where}`, frame: frameIp(framing, ipv6Packet({ extensions, protocol: IpProtocol.UDP }, udpDatagram(5353, 53, DATA))) });
    out.push({ name: `IPv6 echo request${where}`, frame: frameIp(framing, ipv6Packet({ extensions, protocol: IpProtocol.ICMPv6 }, icmpEcho(true))) });
    out.push({ name: `IPv6 echo reply${where}`, frame: frameIp(framing, ipv6Packet({ extensions, protocol: IpProtocol.ICMPv6 }, icmpEcho(true, 129))) });
  }
  out.push(
    { name: 'IPv4 UDP', frame: frameIp(framing, ipv4Packet({ protocol: IpProtocol.UDP }, udpDatagram(5353, 53, DATA))) },
    { name: 'IPv4 echo request', frame: frameIp(framing, ipv4Packet({ protocol: 1 }, icmpEcho(false))) },
    { name: 'IPv4 echo reply', frame: frameIp(framing, ipv4Packet({ protocol: 1 }, icmpEcho(false, 0))) },
    { name: 'IPv4 time exceeded', frame: frameIp(framing, ipv4Packet({ protocol: 1 }, icmpEcho(false, 11))) },
    { name: 'IPv4 port unreachable', frame: frameIp(framing, unreachable(false)) },
    { name: 'IPv6 port unreachable', frame: frameIp(framing, unreachable(true)) },
    { name: 'IPv6 neighbour solicitation', frame: frameIp(framing, ipv6Packet({ protocol: IpProtocol.ICMPv6 }, icmpEcho(true, 135))) },
    { name: 'IPv6 MLD report (hop-by-hop, then ICMPv6)', frame: frameIp(framing, ipv6Packet({ extensions: [{ kind: 'hop-by-hop' }], protocol: IpProtocol.ICMPv6 }, icmpEcho(true, 143))) },
    { name: 'IPv6 ACK after two extension headers', frame: frameIp(framing, ipv6Packet({ extensions: [{ kind: 'hop-by-hop' }, { kind: 'destination' }] }, tcpSegment({ flags: ACK, payload: DATA }))), longChain: true },
  );
  const syn = tcpSegment({ flags: SYN });
  for (const [protocol, payload] of [[IpProtocol.TCP, syn], [IpProtocol.UDP, udpDatagram(1, 2, new Uint8Array(32))], [1, icmpEcho(false)]] as const) {
    out.push({ name: `IPv4 fragment (first) of protocol ${protocol}`, frame: frameIp(framing, ipv4Packet({ protocol, moreFragments: true }, payload.subarray(0, 8))) });
    out.push({ name: `IPv4 fragment (later) of protocol ${protocol}`, frame: frameIp(framing, ipv4Packet({ protocol, fragmentOffset: 1 }, payload.subarray(8))) });
  }
  for (const [protocol, payload] of [[IpProtocol.TCP, syn], [IpProtocol.UDP, udpDatagram(1, 2, new Uint8Array(32))], [IpProtocol.ICMPv6, icmpEcho(true)]] as const) {
    out.push({ name: `IPv6 fragment (first) of protocol ${protocol}`, frame: frameIp(framing, ipv6Packet({ protocol, extensions: [{ kind: 'fragment', more: true }] }, payload.subarray(0, 8))) });
    out.push({ name: `IPv6 fragment (later) of protocol ${protocol}`, frame: frameIp(framing, ipv6Packet({ protocol, extensions: [{ kind: 'fragment', offset: 1 }] }, payload.subarray(8))) });
  }
  const innerAck = ipv4Packet({}, tcpSegment({ flags: ACK, payload: DATA }));
  const innerSyn = ipv4Packet({}, syn);
  for (const v6 of [false, true]) {
    for (const [label, inner] of [['SYN', innerSyn], ['data', innerAck]] as const) {
      const eth = ethernetFrame(EtherType.IPv4, inner);
      out.push({ name: `GRE (outer IPv${v6 ? 6 : 4}) carrying ${label}`, frame: frameIp(framing, outerIp(v6, GRE_PROTOCOL, concat([greHeader(EtherType.IPv4), inner]))), tunnel: true });
      out.push({ name: `VXLAN (outer IPv${v6 ? 6 : 4}) carrying ${label}`, frame: frameIp(framing, outerIp(v6, 17, udpDatagram(49152, 4789, concat([vxlanHeader(), eth])))), tunnel: true });
      out.push({ name: `Geneve (outer IPv${v6 ? 6 : 4}) carrying ${label}`, frame: frameIp(framing, outerIp(v6, 17, udpDatagram(49152, 6081, genevePacket(0x6558, eth, 2)))), tunnel: true });
    }
  }
  return out;
}

/** Whether the decoder, masked by `sets`, would need the frame: the filter's specification. */
function needed(sample: Sample, linkType: number, sets: readonly ProbeSetName[]): boolean {
  if (sample.tunnel) return sets.includes('tunnels') || (sets.includes('udp') && !sample.name.startsWith('GRE'));
  if (sample.longChain) return true;
  const record = createProbeRecord();
  const kind = decodeFrame(sample.frame, 0, sample.frame.length, linkType, record);
  if (kind === DecodeOutcome.Fragment) {
    const p = record.fragment.protocol;
    return p === 6 || (p === 17 && sets.includes('udp')) || ((p === 1 || p === 58) && (sets.includes('icmp') || sets.includes('replies')));
  }
  return kind > 0 && (probeKindMask(sets) & (1 << kind)) !== 0;
}

/** Indices of the records in a pcap that tcpdump's compiled `filter` accepts. */
function tcpdumpMatches(dir: string, linkType: number, frames: Uint8Array[], filter: string): Set<number> {
  const file = join(dir, `frames-${linkType}.pcap`);
  writePcap(file, linkType, frames);
  const out = execFileSync('tcpdump', ['-nn', '-tt', '-r', file, filter], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 26 });
  const matched = new Set<number>();
  for (const line of out.split('\n')) {
    const stamp = /^(\d+)\.(\d{6})/.exec(line);
    if (stamp) matched.add(Math.round((Number(stamp[1]) * 1e6 + Number(stamp[2]) - DEFAULT_START_MICROS) / 1000));
  }
  return matched;
}

const SELECTIONS: readonly (readonly ProbeSetName[])[] = [['syn'], DEFAULT_PROBE_SETS, ['syn', 'ack'], ['syn', 'udp'], ['syn', 'tunnels'], ['syn', 'replies'], PROBE_SET_NAMES];

function checkFraming(framing: Framing, linkType: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'peng-probe-filter-'));
  try {
    const list = samples(framing);
    const tags = framing.tags?.length ?? 0;
    for (const sets of SELECTIONS.filter((s) => tags <= filterVlanDepth(s))) {
      const matched = tcpdumpMatches(dir, linkType, list.map((s) => s.frame), probeFilterFor(linkType, sets));
      const wrong = list.flatMap((s, i) => (matched.has(i) === needed(s, linkType, sets) ? [] : [`${s.name}: ${matched.has(i) ? 'passed' : 'dropped'}`]));
      assert.deepEqual(wrong, [], `-probes ${sets.join(',')}: the filter disagrees with the masked decoder`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('untagged Ethernet: each -probes selection passes exactly the kinds it enables (tcpdump runs the filter, the decoder judges)', () => {
  checkFraming({ link: 'ethernet' }, LinkType.Ethernet);
});

test('802.1Q, QinQ, and stacks of 2 and 3 tags get the same verdicts (as deep as each selection looks)', () => {
  for (const depth of [1, 2, FILTER_VLAN_DEPTH]) {
    const tags = Array.from({ length: depth }, (_, i) => ({ tpid: i === 0 && depth > 1 ? EtherType.QinQ : EtherType.VLAN, vlan: 10 + i }));
    checkFraming({ link: 'ethernet', tags }, LinkType.Ethernet);
  }
});

test('Linux cooked and raw IP links get the same verdicts from the untagged filter', () => {
  checkFraming({ link: 'sll' }, LinkType.LinuxSll);
  checkFraming({ link: 'raw' }, LinkType.Raw);
});

test(`a SYN under ${FILTER_VLAN_DEPTH + 1} tags is past the filter's depth (the documented bound)`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'peng-probe-filter-'));
  try {
    const tags = (n: number): { vlan: number }[] => Array.from({ length: n }, (_, i) => ({ vlan: i + 1 }));
    const frames = [FILTER_VLAN_DEPTH, FILTER_VLAN_DEPTH + 1].map((n) => frameIp({ link: 'ethernet', tags: tags(n) }, ipv4Packet({}, tcpSegment({ flags: SYN }))));
    assert.deepEqual([...tcpdumpMatches(dir, LinkType.Ethernet, frames, probeFilterTagged(DEFAULT_PROBE_SETS))], [0]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the kernel takes every selection\'s filter (past its limit libpcap would filter in user space, copying every packet)', () => {
  const selections: (readonly ProbeSetName[])[] = [DEFAULT_PROBE_SETS, PROBE_SET_NAMES, ...PROBE_SET_NAMES.map((s) => ['syn', s] as ProbeSetName[])];
  for (const sets of selections) {
    // A live capture on lo attaches the filter to a socket; libpcap says "Kernel filter failed" when refused.
    const run = spawnSync('timeout', ['1', 'tcpdump', '-i', 'lo', '-n', '-c', '1', probeFilterTagged(sets)], { encoding: 'utf8' });
    assert.doesNotMatch(run.stderr, /Kernel filter failed/, `-probes ${sets.join(',')}: ${run.stderr.trim()}`);
    assert.match(run.stderr, /listening on lo/, `tcpdump ran: ${run.stderr.trim()}`);
  }
  // The bound is real: one level deeper than chosen, every value, is refused.
  const refused = spawnSync('timeout', ['1', 'tcpdump', '-i', 'lo', '-n', '-c', '1', probeFilterTagged(PROBE_SET_NAMES, FILTER_VLAN_DEPTH + 1)], { encoding: 'utf8' });
  assert.match(refused.stderr, /Kernel filter failed/);
});

test('probeKindMask: syn always, each value its kinds', () => {
  const names = (mask: number): string[] => PROBE_KIND_NAMES.filter((_, kind) => kind > 0 && (mask & (1 << kind)) !== 0);
  assert.deepEqual(names(probeKindMask([])), ['syn']);
  assert.deepEqual(names(probeKindMask(['stealth'])), ['syn', 'fin', 'null', 'xmas', 'maimon']);
  assert.deepEqual(names(probeKindMask(['replies', 'icmp'])), ['syn', 'icmpEcho', 'synAck', 'rst', 'icmpUnreachable']);
  assert.deepEqual(names(probeKindMask(['ack', 'udp', 'tunnels'])), ['syn', 'ack', 'udp']);
});
