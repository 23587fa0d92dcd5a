import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFrame } from '../../src/packets/decode-frame.js';
import { createProbeRecord, PROBE_KIND_NAMES, type ProbeRecord } from '../../src/packets/probe-record.js';
import { ipv4Packet, ipv6Packet, LINUX_SYN_OPTIONS, tcpSegment, TcpFlags, udpDatagram } from '../../support/frames.js';
import { encapsulate, ENCAPSULATIONS, linkTypeOfEncapsulation, type Encapsulation } from '../../support/encapsulations.js';
import { writePcap } from '../../support/capture-writers.js';
import { Xorshift32 } from '../../support/xorshift.js';
import { icmpEcho } from './probe-packets.js';

/**
 * tshark is the independent oracle for every tunnel and link type: a mixed capture (probes of every kind,
 * replies, data segments, UDP, ICMP) written to a pcap; Peng's kind, addresses and ports for each frame must
 * equal what tshark shows for the innermost packet (tshark lists every layer's field comma-separated: the last).
 */

const FIELDS = ['frame.protocols', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'tcp.len', 'udp.srcport', 'udp.dstport', 'icmp.type', 'icmpv6.type'];

interface Innermost {
  kind: string;
  src: string;
  dst: string;
  srcPort: string;
  dstPort: string;
}

const last = (field: string): string => field.split(',').at(-1) ?? '';

/** The innermost transport in tshark's protocol chain, classified with the display-filter rules. */
function innermost(line: string): Innermost {
  const [protocols, ip4src, ip4dst, ip6src, ip6dst, tcpSrc, tcpDst, flagsText, tcpLen, udpSrc, udpDst, icmpType, icmp6Type] = line.split('|') as string[] as [string, ...string[]];
  const chain = protocols.split(':');
  const transport = chain.filter((p) => p === 'tcp' || p === 'udp' || p === 'icmp' || p === 'icmpv6').at(-1);
  const network = chain.filter((p) => p === 'ip' || p === 'ipv6').at(-1);
  const src = network === 'ipv6' ? last(ip6src!) : last(ip4src!);
  const dst = network === 'ipv6' ? last(ip6dst!) : last(ip4dst!);
  let kind = '';
  let srcPort = '';
  let dstPort = '';
  if (transport === 'tcp') {
    const flags = parseInt(last(flagsText!), 16);
    const empty = Number(last(tcpLen!)) === 0;
    const classic = flags & 0x3f;
    if ((flags & 0x12) === 0x02) kind = 'syn';
    else if (flags & 0x02) kind = 'synAck';
    else if (flags & 0x04) kind = 'rst';
    else if (classic === 0x01) kind = 'fin';
    else if (classic === 0) kind = 'null';
    else if (classic === 0x29) kind = 'xmas';
    else if (classic === 0x11 && empty) kind = 'maimon';
    else if (classic === 0x10 && empty) kind = 'ack';
    [srcPort, dstPort] = [last(tcpSrc!), last(tcpDst!)];
  } else if (transport === 'udp') {
    kind = 'udp';
    [srcPort, dstPort] = [last(udpSrc!), last(udpDst!)];
  } else if (transport === 'icmp' || transport === 'icmpv6') {
    if (last(transport === 'icmp' ? icmpType! : icmp6Type!) === (transport === 'icmp' ? '8' : '128')) [kind, srcPort, dstPort] = ['icmpEcho', '0', '0'];
  }
  return kind === '' ? { kind, src: '', dst: '', srcPort: '', dstPort: '' } : { kind, src, dst, srcPort, dstPort };
}

function tshark(path: string): Innermost[] {
  const args = ['-r', path, '-n', '-o', 'tcp.analyze_sequence_numbers:FALSE', '-o', 'tcp.relative_sequence_numbers:FALSE', '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const f of FIELDS) args.push('-e', f);
  let text: string;
  try {
    text = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
  } catch (error) {
    throw new Error(`tshark failed (Debian package "tshark" is required for this test): ${(error as Error).message}`);
  }
  return text.trimEnd().split('\n').map(innermost);
}

function peng(frame: Uint8Array, linkType: number, r: ProbeRecord): Innermost {
  const kind = decodeFrame(frame, 0, frame.length, linkType, r);
  assert.ok(kind >= 0, `a well-formed frame decoded as malformed reason ${-kind}`);
  if (kind === 0) return { kind: '', src: '', dst: '', srcPort: '', dstPort: '' };
  const address = (which: 'src' | 'dst'): string => {
    if (r.family === 4) {
      const a = which === 'src' ? r.src4 : r.dst4;
      return [a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff].join('.');
    }
    const groups: string[] = [];
    for (const w of which === 'src' ? r.src6 : r.dst6) groups.push((w >>> 16).toString(16), (w & 0xffff).toString(16));
    return groups.join(':');
  };
  return { kind: PROBE_KIND_NAMES[kind]!, src: address('src'), dst: address('dst'), srcPort: String(r.srcPort), dstPort: String(r.dstPort) };
}

/** tshark prints compressed IPv6 ("2001:db8::1"); expand it to 8 groups without leading zeros. */
function expandIpv6(text: string): string {
  if (!text.includes(':')) return text;
  const [head, tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => parseInt(g, 16).toString(16)).join(':');
}

const FLAGS = [TcpFlags.SYN, TcpFlags.SYN, TcpFlags.FIN, 0, TcpFlags.FIN | TcpFlags.PSH | TcpFlags.URG, TcpFlags.FIN | TcpFlags.ACK, TcpFlags.ACK, TcpFlags.SYN | TcpFlags.ACK, TcpFlags.RST, TcpFlags.RST | TcpFlags.ACK, TcpFlags.PSH | TcpFlags.ACK];

/** One innermost packet of a random kind: TCP with any probe flags (some with data), UDP, ICMP echo or echo reply. */
function randomPacket(rng: Xorshift32, v6: boolean): Uint8Array {
  const n = (): number => rng.below(256);
  const src = v6 ? `2001:db8:${rng.below(0x10000).toString(16)}::${rng.below(0x10000).toString(16)}` : `10.${n()}.${n()}.${1 + rng.below(254)}`;
  const dst = v6 ? `2001:db8:${rng.below(0x10000).toString(16)}::${rng.below(0x10000).toString(16)}` : `192.168.${n()}.${1 + rng.below(254)}`;
  const pick = rng.below(10);
  let protocol = 6;
  let payload: Uint8Array;
  if (pick < 6) {
    payload = tcpSegment({ srcPort: 1024 + rng.below(60000), dstPort: 1 + rng.below(65535), flags: rng.pick(FLAGS), options: rng.chance(0.5) ? LINUX_SYN_OPTIONS : [], payload: rng.chance(0.2) ? [1, 2, 3, 4] : [] });
  } else if (pick < 8) {
    protocol = 17;
    payload = udpDatagram(1024 + rng.below(60000), rng.pick([53, 123, 161, 1 + rng.below(4000)]), rng.chance(0.5) ? [0, 0, 0, 0] : []);
  } else {
    protocol = v6 ? 58 : 1;
    payload = icmpEcho(v6, rng.chance(0.7) ? undefined : v6 ? 129 : 0);
  }
  return v6 ? ipv6Packet({ src, dst, protocol }, payload) : ipv4Packet({ src, dst, protocol }, payload);
}

/** tshark reads NFLOG attributes in its own host's byte order only; big-endian NFLOG is left to the unit tests. */
const NO_ORACLE = new Set<Encapsulation>(['nflog-be']);

for (const e of ENCAPSULATIONS.filter((x) => !NO_ORACLE.has(x))) {
  test(`${e}: kinds, addresses and ports of the innermost packet agree with tshark on a mixed capture`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'peng-tunnels-'));
    try {
      const rng = new Xorshift32(0x7a1e + ENCAPSULATIONS.indexOf(e as Encapsulation));
      const frames = Array.from({ length: 200 }, (_, i) => {
        const v6 = e === 'ipv6-link' || (e !== 'ipv4-link' && rng.chance(0.5));
        return encapsulate(e, randomPacket(rng, v6), i % 3 === 0);
      });
      const path = join(dir, `${e}.pcap`);
      writePcap(path, linkTypeOfEncapsulation(e), frames);
      const rows = tshark(path);
      assert.equal(rows.length, frames.length);
      const record = createProbeRecord();
      const seen = new Set<string>();
      frames.forEach((frame, i) => {
        const ours = peng(frame, linkTypeOfEncapsulation(e), record);
        const theirs = { ...rows[i]!, src: expandIpv6(rows[i]!.src), dst: expandIpv6(rows[i]!.dst) };
        assert.deepEqual(ours, theirs, `${e} frame ${i + 1}`);
        seen.add(ours.kind);
      });
      for (const kind of ['syn', 'fin', 'null', 'xmas', 'maimon', 'ack', 'udp', 'icmpEcho', 'synAck', 'rst', '']) assert.ok(seen.has(kind), `${e}: the capture holds a ${kind || 'non-probe'}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
