import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFrame } from '../../src/packets/decode-frame.js';
import { FragmentTable } from '../../src/packets/fragment-table.js';
import { createProbeRecord, DecodeOutcome, PROBE_KIND_NAMES, ProbeKind } from '../../src/packets/probe-record.js';
import { LinkType } from '../../src/packets/syn-record.js';
import { writePcap } from '../../support/capture-writers.js';
import { frameIp, IpProtocol, ipv6Words, LINUX_SYN_OPTIONS, tcpSegment, udpDatagram } from '../../support/frames.js';
import { Xorshift32 } from '../../support/xorshift.js';
import { ipv4Fragments, ipv6Fragments } from './fragments.js';

/**
 * tshark, with its default IPv4 and IPv6 reassembly, is the independent reading of the same fragmented
 * probes: every datagram Peng's fragment table classifies must be one tshark reassembles, with the same
 * addresses, ports and kind (from tshark's flags and TCP length), and none twice. Needs tshark.
 */

const DATAGRAMS = 600;
const FLAGS = [0x02, 0x02, 0x02, 0x01, 0x00, 0x29, 0x11, 0x10, 0x12, 0x04, 0x14, 0x18];

/** What tshark's fields say a datagram is, by the rules Peng documents (no Peng code). */
function tsharkKind(tcpFlags: string, tcpLen: string, udp: boolean): string {
  if (udp) return 'udp';
  const f = parseInt(tcpFlags, 16);
  const empty = Number(tcpLen) === 0;
  if ((f & 0x12) === 0x02) return 'syn';
  if (f & 0x02) return 'synAck';
  if (f & 0x04) return 'rst';
  const classic = f & 0x3f;
  if (classic === 0) return 'null';
  if (classic === 0x01) return 'fin';
  if (classic === 0x29) return 'xmas';
  if (classic === 0x11 && empty) return 'maimon';
  if (classic === 0x10 && empty) return 'ack';
  return '';
}

test(`${DATAGRAMS} fragmented datagrams, shuffled and interleaved: Peng's reassembled probes are tshark's`, () => {
  const rng = new Xorshift32(0x5eed);
  const frames: Uint8Array[] = [];
  for (let i = 0; i < DATAGRAMS; i++) {
    const v6 = rng.chance(0.3);
    const udp = rng.chance(0.15);
    const payload = udp
      ? udpDatagram(1024 + rng.below(60000), rng.below(65536), new Uint8Array(rng.below(40)))
      : tcpSegment({ srcPort: 1024 + rng.below(60000), dstPort: rng.below(65536), flags: rng.pick(FLAGS), options: rng.chance(0.5) ? LINUX_SYN_OPTIONS : [], payload: new Uint8Array(rng.chance(0.2) ? 16 : 0) });
    const sizes = Array.from({ length: 8 }, () => rng.pick([8, 16, 24]));
    const src = `10.${rng.below(4)}.0.${1 + rng.below(200)}`;
    const protocol = udp ? IpProtocol.UDP : IpProtocol.TCP;
    const pieces = v6
      ? ipv6Fragments({ src: `2001:db8::${(1 + rng.below(200)).toString(16)}`, dst: '2001:db8::2', protocol }, 0x10000 + i, payload, sizes)
      : ipv4Fragments({ src, dst: '192.0.2.2', id: i, protocol }, payload, sizes);
    if (rng.chance(0.3)) pieces.reverse();
    // Interleave: insert each fragment at a random place among the last few frames.
    for (const piece of pieces) frames.splice(Math.max(0, frames.length - rng.below(4)), 0, frameIp({ link: 'ethernet' }, piece));
  }

  const table = new FragmentTable();
  const record = createProbeRecord();
  const peng: string[] = [];
  for (const frame of frames) {
    const kind = decodeFrame(frame, 0, frame.length, LinkType.Ethernet, record);
    // A datagram that fitted in one piece is no fragment: decoded directly, as tshark does.
    const result = kind === DecodeOutcome.Fragment ? table.add(frame, record, 0) : kind;
    if (result <= 0) continue;
    const src = record.family === 4 ? String(record.src4) : [...record.src6].join(':');
    const dst = record.family === 4 ? String(record.dst4) : [...record.dst6].join(':');
    peng.push(`${src} ${dst} ${record.srcPort} ${record.dstPort} ${PROBE_KIND_NAMES[result as ProbeKind]}`);
  }

  const dir = mkdtempSync(join(tmpdir(), 'peng-frag-tshark-'));
  try {
    const file = join(dir, 'fragments.pcap');
    writePcap(file, LinkType.Ethernet, frames);
    const fields = ['ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'tcp.len', 'udp.srcport', 'udp.dstport'];
    const out = execFileSync('tshark', ['-r', file, '-n', '-Y', 'tcp || udp', '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
    const tshark: string[] = [];
    for (const line of out.split('\n')) {
      if (line === '') continue;
      const [ip4src, ip4dst, ip6src, ip6dst, tsport, tdport, flags, tcpLen, usport, udport] = line.split('|');
      const udp = usport !== '';
      const kind = tsharkKind(flags!, tcpLen!, udp);
      if (kind === '') continue;
      const v4 = (a: string): string => String(a.split('.').reduce((n, b) => n * 256 + Number(b), 0));
      const src = ip4src ? v4(ip4src) : ipv6Words(ip6src!).join(':');
      const dst = ip4dst ? v4(ip4dst) : ipv6Words(ip6dst!).join(':');
      tshark.push(`${src} ${dst} ${udp ? usport : tsport} ${udp ? udport : tdport} ${kind}`);
    }
    assert.ok(tshark.length > DATAGRAMS / 2, `tshark reassembled only ${tshark.length} probes`);
    assert.deepEqual(peng.sort(), tshark.sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
