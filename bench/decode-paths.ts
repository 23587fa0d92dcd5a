import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { decodeFrame } from '../src/packets/decode-frame.js';
import { createProbeRecord, ProbeKind, type ProbeRecord } from '../src/packets/probe-record.js';
import { LinkType } from '../src/packets/syn-record.js';
import { ethernetFrame, EtherType, ipv4Packet, ipv6Packet, LINUX_SYN_OPTIONS, tcpSegment } from '../support/frames.js';
import { encapsulate, ENCAPSULATIONS, linkTypeOfEncapsulation } from '../support/encapsulations.js';

/**
 * Per-frame decode cost of each path (tunnels, link types) as a ratio to the SYN-only Ethernet/IPv4 decode,
 * all in one run. Run by hand after `tsc`:
 *   node dist/bench/decode-paths.js [--frames N] [--rounds R] [--baseline DIR]
 * `--baseline DIR` loads another build's decode-frame.js from DIR (e.g. a copy of dist/src/packets from the
 * parent commit) and compares its Ethernet/IPv4 and IPv6 SYN decode with this build's, each in its own processes.
 */

type Decode = (data: Uint8Array, offset: number, length: number, linkType: number, out: ProbeRecord) => number;

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const FRAMES = Number(option('--frames') ?? 5_000_000);
const ROUNDS = Number(option('--rounds') ?? 5);
const BATCH = 64; // distinct source ports, so the loop is not over one cached frame

interface Path {
  name: string;
  linkType: number;
  frames: Uint8Array[];
}

function synBatch(wrap: (ip: Uint8Array) => Uint8Array, v6: boolean): Uint8Array[] {
  return Array.from({ length: BATCH }, (_, i) => {
    const tcp = tcpSegment({ srcPort: 40000 + i, dstPort: 1 + i * 7, options: LINUX_SYN_OPTIONS });
    return wrap(v6 ? ipv6Packet({}, tcp) : ipv4Packet({}, tcp));
  });
}

/** Nanoseconds per frame, best of `rounds`; checks every frame decodes as a SYN, so nothing is optimised away. */
function measure(decode: Decode, path: Path): number {
  const out = createProbeRecord();
  const { frames, linkType } = path;
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    let syns = 0;
    const start = process.hrtime.bigint();
    for (let i = 0; i < FRAMES; i++) {
      const frame = frames[i & (BATCH - 1)]!;
      if (decode(frame, 0, frame.length, linkType, out) === ProbeKind.Syn) syns++;
    }
    const ns = Number(process.hrtime.bigint() - start) / FRAMES;
    if (syns !== FRAMES) throw new Error(`${path.name}: ${syns} of ${FRAMES} frames decoded as SYN`);
    if (ns < best) best = ns;
  }
  return best;
}

const base: Path = { name: 'ethernet/ipv4 SYN', linkType: LinkType.Ethernet, frames: synBatch((ip) => ethernetFrame(EtherType.IPv4, ip), false) };
const ipv6: Path = { name: 'ethernet/ipv6 SYN', linkType: LinkType.Ethernet, frames: synBatch((ip) => ethernetFrame(EtherType.IPv6, ip), true) };

const baselineDir = option('--baseline');
const single = option('--single');
if (single !== undefined) {
  // A child of --baseline: one build's SYN paths in a fresh process, so neither build shares JIT feedback.
  const decode = single === 'current' ? decodeFrame : ((await import(pathToFileURL(resolve(single, 'decode-frame.js')).href)) as { decodeFrame: Decode }).decodeFrame;
  console.log(JSON.stringify([measure(decode, base), measure(decode, ipv6)]));
} else if (baselineDir !== undefined) {
  const best = { before: [Infinity, Infinity], after: [Infinity, Infinity] };
  // Alternate before/after processes so drift on a shared machine hits both alike.
  for (let i = 0; i < 3; i++) {
    for (const [which, arg] of [['before', baselineDir], ['after', 'current']] as const) {
      const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--single', arg, '--frames', String(FRAMES), '--rounds', String(ROUNDS)], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(child.stderr);
      const ns = JSON.parse(child.stdout) as number[];
      best[which] = best[which].map((b, k) => Math.min(b, ns[k]!));
    }
  }
  const rows = [base, ipv6].map((p, k) => `| ${p.name.padEnd(22)} | ${best.before[k]!.toFixed(2).padStart(9)} | ${best.after[k]!.toFixed(2).padStart(8)} | ${(best.after[k]! / best.before[k]!).toFixed(3)} |`);
  console.log(`${FRAMES} frames, best of ${ROUNDS * 3} in 3 alternating processes each\n| path                   | before ns | after ns | after/before |\n|---|---|---|---|\n${rows.join('\n')}`);
} else {
  const paths: Path[] = [base, ipv6];
  for (const e of ENCAPSULATIONS) paths.push({ name: e, linkType: linkTypeOfEncapsulation(e), frames: synBatch((ip) => encapsulate(e, ip), e === 'ipv6-link') });
  const baseNs = measure(decodeFrame, base);
  console.log(`${FRAMES} frames per path, best of ${ROUNDS}\n| path                   | ns/frame | ratio to ethernet/ipv4 SYN |\n|---|---|---|`);
  for (const path of paths) {
    const ns = path === base ? baseNs : measure(decodeFrame, path);
    console.log(`| ${path.name.padEnd(22)} | ${ns.toFixed(2).padStart(8)} | ${(ns / baseNs).toFixed(2)} |`);
  }
}
