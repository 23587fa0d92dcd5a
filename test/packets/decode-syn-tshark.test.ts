import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSyn } from '../../src/packets/decode-syn.js';
import { createSynRecord, DecodeResult } from '../../src/packets/syn-record.js';
import {
  EtherType, IpProtocol, LINUX_SYN_OPTIONS, TcpFlags, ethernetFrame, frameIp, ipv4Packet, ipv6Packet, linkTypeOf, sll2Frame,
  sllFrame, tcpFrame, tcpSegment, udpDatagram, type Framing, type Ipv6Extension, type LinkKind,
} from '../../support/frames.js';
import { writePcap } from '../../support/capture-writers.js';
import { Xorshift32 } from '../../support/xorshift.js';

/**
 * tshark is the independent oracle: the same frames, written to a pcap, read by Wireshark's dissectors.
 * Its `-e` fields print addresses in text form, so the comparison also checks our integer layout.
 */
interface TsharkRow {
  src: string;
  dst: string;
  srcPort: string;
  dstPort: string;
  syn: string;
  ack: string;
  /** Wireshark marked the frame malformed or unreassembled (cut short), or raised an expert error on it. */
  damaged: boolean;
  /** Wireshark's expert messages, for the failure report. */
  expert: string;
}

/** PI_ERROR; RST and FIN alone are already warnings, so warnings do not mean damage. */
const EXPERT_ERROR = 0x00800000;

function tshark(path: string): TsharkRow[] {
  const fields = ['ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport', 'tcp.flags.syn', 'tcp.flags.ack', '_ws.malformed', '_ws.unreassembled', '_ws.expert.severity', '_ws.expert.message'];
  const args = ['-r', path, '-n', '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-o', 'tcp.analyze_sequence_numbers:FALSE', '-T', 'fields', '-E', 'separator=|'];
  for (const f of fields) args.push('-e', f);
  let text: string;
  try {
    text = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
  } catch (error) {
    throw new Error(`tshark failed (Debian package "tshark" is required for this test): ${(error as Error).message}`);
  }
  return text.trimEnd().split('\n').map((line) => {
    const [ip4src, ip4dst, ip6src, ip6dst, srcPort, dstPort, syn, ack, malformed, unreassembled, severity, expert] = line.split('|');
    return {
      src: ip6src || ip4src,
      dst: ip6dst || ip4dst,
      srcPort,
      dstPort,
      syn,
      ack,
      damaged: malformed !== '' || unreassembled !== '' || severity.split(',').some((s) => Number(s) >= EXPERT_ERROR),
      expert,
    };
  });
}

function addressText(record: ReturnType<typeof createSynRecord>, which: 'src' | 'dst'): string {
  if (record.family === 4) {
    const a = which === 'src' ? record.src4 : record.dst4;
    return [a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff].join('.');
  }
  const words = which === 'src' ? record.src6 : record.dst6;
  const groups: string[] = [];
  for (const w of words) groups.push((w >>> 16).toString(16), (w & 0xffff).toString(16));
  return groups.join(':');
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

function randomIpv4(rng: Xorshift32): string {
  return [rng.below(223) + 1, rng.below(256), rng.below(256), rng.below(256)].join('.');
}

function randomIpv6(rng: Xorshift32): string {
  return ['2001', 'db8', ...Array.from({ length: 6 }, () => rng.below(0x10000).toString(16))].join(':');
}

const flagChoices = [TcpFlags.SYN, TcpFlags.SYN, TcpFlags.SYN | TcpFlags.ACK, TcpFlags.ACK, TcpFlags.RST, TcpFlags.RST | TcpFlags.ACK, TcpFlags.FIN | TcpFlags.ACK, TcpFlags.SYN | 0xc0, TcpFlags.SYN | TcpFlags.FIN];

/** A well-formed frame of any kind the decoder meets: SYNs and everything else. */
function randomFrame(rng: Xorshift32, link: LinkKind): Uint8Array {
  const framing: Framing = { link, bigEndian: rng.chance(0.5), inet6Family: rng.pick([24, 28, 30]) };
  if (link === 'ethernet') framing.tags = Array.from({ length: rng.pick([0, 0, 1, 2, 3]) }, () => ({ tpid: rng.pick([EtherType.VLAN, EtherType.QinQ, EtherType.QinQOld]), vlan: 1 + rng.below(4094) }));
  const kind = rng.below(10);
  if (kind === 0 && (link === 'ethernet' || link === 'sll' || link === 'sll2')) {
    const arp = new Uint8Array([0, 1, 8, 0, 6, 4, 0, 1, ...new Array<number>(20).fill(7)]);
    return link === 'ethernet' ? ethernetFrame(EtherType.ARP, arp) : link === 'sll' ? sllFrame(EtherType.ARP, arp) : sll2Frame(EtherType.ARP, arp);
  }
  const v6 = rng.chance(0.5);
  const upper = kind === 1 ? udpDatagram(1024 + rng.below(60000), 1024 + rng.below(60000)) : tcpSegment({
    srcPort: rng.below(65536),
    dstPort: rng.below(65536),
    flags: rng.pick(flagChoices),
    options: rng.chance(0.5) ? LINUX_SYN_OPTIONS : [],
  });
  const protocol = kind === 1 ? IpProtocol.UDP : IpProtocol.TCP;
  if (!v6) {
    const fragmented = rng.below(6);
    return frameIp(framing, ipv4Packet({
      src: randomIpv4(rng),
      dst: randomIpv4(rng),
      protocol,
      options: rng.chance(0.3) ? [1, 1, 1, 0] : [],
      moreFragments: fragmented === 1,
      fragmentOffset: fragmented === 2 ? 1 + rng.below(100) : 0,
    }, upper));
  }
  const extensions: Ipv6Extension[] = [];
  if (rng.chance(0.3)) extensions.push({ kind: 'hop-by-hop', units: rng.below(3) });
  if (rng.chance(0.3)) extensions.push({ kind: 'destination', units: rng.below(3) });
  if (rng.chance(0.2)) extensions.push({ kind: 'routing', units: 2, routingType: 2, segmentsLeft: 1 });
  if (rng.chance(0.3)) extensions.push({ kind: 'fragment', offset: rng.chance(0.5) ? 0 : 1 + rng.below(100), more: rng.chance(0.5) });
  if (rng.chance(0.2)) extensions.push({ kind: 'ah' });
  return frameIp(framing, ipv6Packet({ src: randomIpv6(rng), dst: randomIpv6(rng), protocol, extensions }, upper));
}

/**
 * Damaged frames: Wireshark must complain about each, and the decoder must call each Malformed, except where
 * what a SYN needs is intact and tshark still counts it as one (options claimed past the payload, as Mirai's
 * SYNs have): that one is a SYN.
 */
function damagedFrames(link: LinkKind): { frame: Uint8Array; expected: DecodeResult }[] {
  const f: Framing = { link };
  return [
    { frame: tcpFrame({ ...f, ipv4: { headerWords: 4 } }), expected: DecodeResult.Malformed },
    { frame: tcpFrame({ ...f, ipv4: { totalLength: 30 } }), expected: DecodeResult.Malformed },
    { frame: tcpFrame({ ...f, tcp: { dataOffset: 3 } }), expected: DecodeResult.Malformed },
    { frame: tcpFrame({ ...f, tcp: { dataOffset: 15 } }), expected: DecodeResult.Syn },
    { frame: tcpFrame({ ...f, ipv6: {}, tcp: { dataOffset: 2 } }), expected: DecodeResult.Malformed },
    { frame: tcpFrame({ ...f, ipv6: { payloadLength: 10 } }), expected: DecodeResult.Malformed },
    { frame: frameIp(f, ipv4Packet({ moreFragments: true }, tcpSegment().subarray(0, 8))), expected: DecodeResult.Malformed },
  ];
}

for (const link of ['ethernet', 'sll', 'sll2', 'raw', 'null'] as const) {
  test(`${link}: verdicts, addresses and ports agree with tshark on a mixed capture`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'peng-decoder-'));
    try {
      const rng = new Xorshift32(0xdec0de + linkTypeOf[link]);
      const good = Array.from({ length: 300 }, () => randomFrame(rng, link));
      const damaged = damagedFrames(link);
      const frames = [...good, ...damaged.map((d) => d.frame)];
      const path = join(dir, `${link}.pcap`);
      writePcap(path, linkTypeOf[link], frames);
      const rows = tshark(path);
      assert.equal(rows.length, frames.length);
      const record = createSynRecord();
      let syns = 0;
      frames.forEach((frame, i) => {
        const row = rows[i];
        const result = decodeSyn(frame, 0, frame.length, linkTypeOf[link], record);
        const where = `frame ${i + 1}: ${JSON.stringify(row)}`;
        if (i >= good.length) {
          const expected = damaged[i - good.length]!.expected;
          assert.equal(result, expected, where);
          assert.ok(row.damaged, `tshark sees no damage in ${where}`);
          assert.equal(row.syn === '1' && row.ack === '0', expected === DecodeResult.Syn, `tshark's SYN count agrees: ${where}`);
          return;
        }
        assert.ok(!row.damaged, `tshark sees damage in a well-formed ${where}`);
        const tsharkSyn = row.syn === '1' && row.ack === '0';
        assert.equal(result, tsharkSyn ? DecodeResult.Syn : DecodeResult.Other, where);
        if (result !== DecodeResult.Syn) return;
        syns++;
        assert.equal(addressText(record, 'src'), expandIpv6(row.src), where);
        assert.equal(addressText(record, 'dst'), expandIpv6(row.dst), where);
        assert.equal(String(record.srcPort), row.srcPort, where);
        assert.equal(String(record.dstPort), row.dstPort, where);
      });
      assert.ok(syns > 40 && syns < 250, `a mixed set, ${syns} SYNs`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
