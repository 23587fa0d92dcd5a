import { SYN_FILTER_TAGGED } from '../src/sources/live/bpf-filter.js';
import type { GeneratedCapture } from './generate-capture.js';
import { alternate, fmtMs, ratio, type CommandResult, type Contender, type ContenderTimings } from './measure.js';
import { benchScript, type BenchOptions } from './options.js';
import { goal, type Row, type SectionResult } from './report.js';
import { LOCAL_ADDRESSES } from './traffic-model.js';

/** The classic IPv4-only filter most people type; Peng's own filter also covers IPv6 and VLAN tags. */
const SYN_FILTER_IPV4 = 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn';

/** Section 1: whole-process replay time of Peng against tcpdump and a bare JS loop, plain and gzip. */
export async function replaySection(o: BenchOptions, capture: GeneratedCapture, log: (line: string) => void): Promise<SectionResult> {
  const file = capture.pcap;
  const peng = (path: string): Contender => ({
    name: path.endsWith('.gz') ? 'peng replay (gzip)' : 'peng replay',
    argv: [process.execPath, o.pengBin, 'replay', path, '-json', '-verbose', '0', '-localAddresses', LOCAL_ADDRESSES],
    check: (r) => checkPengTotals(r, capture),
  });
  // The seed's bitmaps alone: only SYNs are counted, so the scan table sees SYNs only.
  const seedOnly: Contender = { ...peng(file), name: 'peng replay -probes syn', argv: [...peng(file).argv, '-probes', 'syn'] };
  const plain: Contender[] = [
    peng(file),
    seedOnly,
    { name: 'bare JS loop', argv: [process.execPath, benchScript('bare-loop.js'), file], check: (r) => checkBareLoop(r, capture) },
    { name: 'tcpdump -r (no filter)', argv: ['tcpdump', '-r', file, '-w', '/dev/null'] },
    { name: "tcpdump -r + Peng's SYN filter", argv: ['tcpdump', '-r', file, '-w', '/dev/null', SYN_FILTER_TAGGED] },
    { name: 'tcpdump -r + IPv4 SYN filter', argv: ['tcpdump', '-r', file, '-w', '/dev/null', SYN_FILTER_IPV4] },
  ];
  log(`replay: ${capture.frames} frames, ${(capture.pcapBytes / 2 ** 20).toFixed(0)} MiB, ${o.runs} runs each`);
  const p = await alternate(plain, o.runs, log);
  const gz = capture.gzip;
  const compressed: Contender[] = [
    peng(gz),
    { name: 'zcat | tcpdump -r -', argv: ['sh', '-c', `zcat '${gz}' | tcpdump -r - -w /dev/null`] },
    { name: 'zcat > /dev/null', argv: ['sh', '-c', `zcat '${gz}' > /dev/null`] },
  ];
  // Inflating dominates these runs and costs several times the plain ones: fewer rounds keep the bench bounded.
  const gzipRuns = Math.min(o.runs, 3);
  log(`replay (gzip): ${gzipRuns} runs each`);
  const z = await alternate(compressed, gzipRuns, log);

  const pengPlain = p[0]!;
  const pengSeed = p[1]!;
  const bare = p[2]!;
  const tcpdumpSyn = p[4]!;
  const zcatTcpdump = z[1]!;
  const rows: Row[] = [
    ...p.map((t) => row(t, capture.frames, tcpdumpSyn, 'tcpdump+SYN')),
    ...z.map((t) => row(t, capture.frames, zcatTcpdump, 'zcat|tcpdump')),
  ];
  const speedup = tcpdumpSyn.wallMs / pengPlain.wallMs;
  const cpuSpeedup = tcpdumpSyn.cpuMs / pengPlain.cpuMs;
  return {
    id: 'replay',
    title: `Replay throughput: ${capture.frames} frames, ${(capture.pcapBytes / 2 ** 20).toFixed(0)} MiB pcap (median of ${o.runs} alternating runs, gzip ${gzipRuns}; whole process, start-up included)`,
    rows,
    goals: [
      goal("peng replay vs tcpdump + Peng's SYN filter (wall)", '>= 3x as fast', `${speedup.toFixed(2)}x (cpu ${cpuSpeedup.toFixed(2)}x)`, speedup >= 3),
      goal("peng replay -probes syn (the seed's bitmaps) vs tcpdump + Peng's SYN filter (wall)", '>= 3.5x as fast', `${(tcpdumpSyn.wallMs / pengSeed.wallMs).toFixed(2)}x (cpu ${(tcpdumpSyn.cpuMs / pengSeed.cpuMs).toFixed(2)}x)`, tcpdumpSyn.wallMs / pengSeed.wallMs >= 3.5),
      goal('peng replay vs the bare JS loop, the limit (wall)', "<= 1.25x the loop's time", `${ratio(pengPlain.wallMs, bare.wallMs)}x`, pengPlain.wallMs <= bare.wallMs * 1.25),
    ],
    notes: [
      `ratio columns: each contender's median divided by the baseline's median in the same run (below 1 = faster).`,
      `gzip: peng ${fmtMs(z[0]!.wallMs)} vs zcat|tcpdump ${fmtMs(zcatTcpdump.wallMs)} (${ratio(z[0]!.wallMs, zcatTcpdump.wallMs)}x); inflating alone takes ${fmtMs(z[2]!.wallMs)}.`,
    ],
    data: { plain: p, gzip: z },
  };
}

function row(t: ContenderTimings, frames: number, base: ContenderTimings, baseName: string): Row {
  return {
    contender: t.name,
    'wall ms': Math.round(t.wallMs),
    'cpu ms': Math.round(t.cpuMs),
    'max RSS MiB': Math.round(t.maxRssKiB / 1024),
    'M frames/s': Math.round((frames / t.wallMs / 1000) * 100) / 100,
    [`wall x ${baseName}`]: ratio(t.wallMs, base.wallMs),
    [`cpu x ${baseName}`]: ratio(t.cpuMs, base.cpuMs),
  };
}

/** Peng must have counted every frame and every SYN the generator wrote, with nothing malformed. */
export function checkPengTotals(r: CommandResult, capture: GeneratedCapture): void {
  let frames = 0;
  let syns = 0;
  let malformed = 0;
  for (const line of r.stdout.split('\n')) {
    if (line === '') continue;
    const report = JSON.parse(line) as { capture: { frames: number; synPackets: number; malformed: number } };
    frames += report.capture.frames;
    syns += report.capture.synPackets;
    malformed += report.capture.malformed;
  }
  if (frames !== capture.frames || syns !== capture.synFrames || malformed !== 0) {
    throw new Error(`peng replay counted ${frames} frames, ${syns} SYNs, ${malformed} malformed; the capture has ${capture.frames} frames, ${capture.synFrames} SYNs`);
  }
}

function checkBareLoop(r: CommandResult, capture: GeneratedCapture): void {
  const counts = JSON.parse(r.stdout) as { frames: number; syns: number };
  if (counts.frames !== capture.frames || counts.syns !== capture.synFrames) {
    throw new Error(`bare loop counted ${counts.frames} frames, ${counts.syns} SYNs; the capture has ${capture.frames}, ${capture.synFrames}`);
  }
}
