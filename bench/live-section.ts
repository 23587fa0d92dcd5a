import { readFileSync } from 'node:fs';
import { SYN_FILTER_TAGGED } from '../src/sources/bpf-filter.js';
import { sleep, withNamespaces, type Background, type NamespacePair } from '../test/support/netns.js';
import { ratio } from './measure.js';
import { benchScript, type BenchOptions } from './options.js';
import { goal, type Goal, type Row, type SectionResult } from './report.js';

/**
 * Section 3 (and the live half of 4): SYNs sent by masscan at fixed counts and increasing rates across a
 * veth pair between two namespaces this section creates; Peng and tcpdump capture the receiving end at
 * the same time with the same filter and kernel buffer. Namespaces are removed however the run ends.
 */

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux
const DEFAULT_BUFFER = 4 * 2 ** 20; // Peng's default -bufferSize
const LARGE_BUFFER = 256 * 2 ** 20;
const DRAIN_MS = 1500;

type CapturerKind = 'peng' | 'tcpdump' | 'cap';

interface Capturer {
  kind: CapturerKind;
  bufferBytes: number;
  bg: Background;
  pid: number;
  cpuTicksAtStart: number;
}

export interface CaptureRun {
  label: string;
  targetPps: number;
  /** SYNs that reached the target's interface: the number every capturer should see. */
  sent: number;
  /** SYNs masscan was asked to send. */
  requested: number;
  /** Rate on the wire: frames received by the target's veth over the time they took to arrive. */
  achievedPps: number;
  seen: Partial<Record<CapturerKind, number>>;
  cpuMicrosPerSyn: Partial<Record<CapturerKind, number>>;
  bufferBytes: Partial<Record<CapturerKind, number>>;
  tcpdumpKernelDrops: number;
  /** Peng's RSS during a flood: after start-up, once it had seen >= 1 M SYNs, at the end. */
  rss?: Array<{ point: string; synsSeen: number; rssKiB: number }>;
}

export async function liveSection(o: BenchOptions, log: (line: string) => void, perSynNs?: number): Promise<SectionResult> {
  if (!o.live) return skipped('BENCH_LIVE=0');
  if (process.getuid?.() !== 0) return skipped('needs root for network namespaces and capture');
  const rates = o.quick ? [10_000, 100_000] : [10_000, 30_000, 100_000, 300_000, 1_000_000];
  const seconds = o.quick ? 1 : 2;
  let pairForSignal: NamespacePair | null = null;
  const onSignal = (): void => {
    // Ctrl-C during the live section: remove the namespaces before leaving.
    void (pairForSignal?.destroy() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await withNamespaces(async (pair) => {
      pairForSignal = pair;
      const runs: CaptureRun[] = [];
      const say = (r: CaptureRun): void =>
        log(`  ${r.label}: sent ${r.sent} at ~${Math.round(r.achievedPps / 1000)} k/s; seen: ${Object.entries(r.seen).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      for (const rate of rates) {
        const count = Math.min(1_000_000, Math.max(10_000, rate * seconds));
        log(`live: ${count} SYNs at ${rate / 1000} k/s`);
        const r = await captureRun(pair, o, `${rate / 1000} k/s`, rate, count, [['peng', DEFAULT_BUFFER], ['tcpdump', DEFAULT_BUFFER]]);
        runs.push(r);
        say(r);
        if (r.achievedPps < rate * 0.6) {
          log(`  the sender tops out near ${Math.round(r.achievedPps / 1000)} k/s; higher rates skipped`);
          break;
        }
      }
      // Where Peng lost SYNs, tell ring size from CPU: a much larger ring, and cap with an empty callback.
      const lossy = runs.find((r) => (r.seen.peng ?? 0) < r.sent) ?? runs.at(-1)!;
      const rate = lossy.targetPps;
      const count = lossy.sent;
      log(`live: ${count} SYNs at ${rate / 1000} k/s with a ${LARGE_BUFFER / 2 ** 20} MiB ring, then cap alone`);
      const large = await captureRun(pair, o, `${rate / 1000} k/s, 256 MiB ring`, rate, count, [['peng', LARGE_BUFFER], ['tcpdump', DEFAULT_BUFFER]]);
      say(large);
      const capOnly = await captureRun(pair, o, `${rate / 1000} k/s, cap alone`, rate, count, [['cap', DEFAULT_BUFFER], ['tcpdump', DEFAULT_BUFFER]]);
      say(capOnly);
      const top = Math.max(...runs.map((r) => r.achievedPps));
      // Bounded in time: as many SYNs as the sender manages in ~40 s, at most 10 M (1 M quick).
      const floodCount = Math.max(1_000_000, Math.min(o.quick ? 1_000_000 : 10_000_000, Math.round((top * 40) / 65535) * 65535));
      log(`live: flood of ${floodCount} SYNs as fast as the sender goes, sampling Peng's RSS`);
      const flood = await captureRun(pair, o, 'flood', 0, floodCount, [['peng', DEFAULT_BUFFER], ['tcpdump', DEFAULT_BUFFER]], true);
      say(flood);
      return report([...runs, large, capOnly], flood, perSynNs);
    });
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

async function startCapturer(pair: NamespacePair, o: BenchOptions, kind: CapturerKind, bufferBytes: number): Promise<Capturer> {
  const ifName = pair.target.ifName;
  const bg =
    kind === 'peng'
      ? pair.spawn(pair.target, 'node', [o.pengBin, '-network', ifName, '-json', '-verbose', '0', '-timeFrame', '1s', '-bufferSize', String(bufferBytes)])
      : kind === 'tcpdump'
        ? pair.spawn(pair.target, 'tcpdump', ['-i', ifName, '-n', '-B', String(bufferBytes / 1024), '-w', '/dev/null', SYN_FILTER_TAGGED])
        : pair.spawn(pair.target, 'node', [benchScript('cap-count.js'), ifName, String(bufferBytes)]);
  await bg.waitFor(kind === 'peng' ? /watching / : /listening on/, 20_000);
  const pid = bg.child.pid!;
  return { kind, bufferBytes, bg, pid, cpuTicksAtStart: 0 };
}

/** One run: start the capturers, send `count` SYNs at `rate` (0 = as fast as possible), stop them, count. */
async function captureRun(
  pair: NamespacePair,
  o: BenchOptions,
  label: string,
  rate: number,
  count: number,
  kinds: ReadonlyArray<[CapturerKind, number]>,
  sampleMemory = false,
): Promise<CaptureRun> {
  const { scanner, target } = pair;
  const capturers: Capturer[] = [];
  for (const [kind, buffer] of kinds) capturers.push(await startCapturer(pair, o, kind, buffer));
  await sleep(300);
  const peng = capturers.find((c) => c.kind === 'peng');
  const probePid = capturers[0]!.pid; // any process in the target namespace shows its interface counters
  const rss: NonNullable<CaptureRun['rss']> = [];
  if (sampleMemory && peng) rss.push({ point: 'after start-up', synsSeen: 0, rssKiB: rssKiB(peng.pid) });
  for (const c of capturers) c.cpuTicksAtStart = cpuTicks(c.pid);

  // masscan sends each (address, port) once: spread the count over enough addresses on the target's subnet.
  // None of them is the target's own address, so its kernel stays silent (no RST for masscan to answer).
  const addresses = Math.ceil(count / 65535);
  const ports = Math.ceil(count / addresses);
  const sent = addresses * ports;
  const subnet = target.ipv4.split('.').slice(0, 3).join('.');
  const range = `${subnet}.10-${subnet}.${9 + addresses}`;
  const rx0 = rxPackets(probePid, target.ifName);
  const sender = pair.spawn(scanner, 'masscan', [
    '--adapter', scanner.ifName, '--adapter-ip', scanner.ipv4, '--adapter-mac', scanner.mac, '--router-mac', target.mac,
    '--rate', String(rate === 0 ? 100_000_000 : rate), '--wait', '0', '--retries', '0', `-p1-${ports}`, range,
  ]);
  // masscan can linger long after its last packet, so the target's receive counter says when sending is done.
  const deadline = Date.now() + Math.max(20_000, (sent / Math.max(rate, 100_000)) * 3000 + 15_000);
  let firstAt = 0;
  let lastAt = 0;
  let received = 0;
  for (;;) {
    await sleep(50);
    const now = Date.now();
    const rx = rxPackets(probePid, target.ifName) - rx0;
    if (rx > received) {
      if (firstAt === 0) firstAt = now;
      lastAt = now;
      received = rx;
    }
    if (sampleMemory && peng && !rss.some((s) => s.point === 'after 1 M SYNs')) {
      const seen = synsSeen(peng.bg.stdout);
      if (seen >= 1_000_000) rss.push({ point: 'after 1 M SYNs', synsSeen: seen, rssKiB: rssKiB(peng.pid) });
    }
    if (received >= sent) break;
    if (!sender.running && (firstAt === 0 || now - lastAt > 1000)) break;
    if (firstAt !== 0 && now - lastAt > 5000) break; // the sender stalled
    if (now > deadline) break;
  }
  await sender.stop('SIGKILL', 2000);
  if (received === 0) throw new Error(`masscan delivered nothing to the target: ${sender.stderr.replace(/\r/g, '\n').trim().slice(-300)}`);
  await sleep(DRAIN_MS); // both drain their rings; Peng's 1 s windows close meanwhile
  const cpu = capturers.map((c) => cpuTicks(c.pid) - c.cpuTicksAtStart);
  if (sampleMemory && peng) rss.push({ point: 'at the end', synsSeen: synsSeen(peng.bg.stdout), rssKiB: rssKiB(peng.pid) });
  const run: CaptureRun = {
    label,
    targetPps: rate,
    // Frames the target's interface received (the veth can drop under a flood before any capture sees them).
    sent: Math.min(sent, received),
    requested: sent,
    achievedPps: received / Math.max(0.05, (lastAt - firstAt) / 1000),
    seen: {},
    cpuMicrosPerSyn: {},
    bufferBytes: {},
    tcpdumpKernelDrops: 0,
    ...(sampleMemory ? { rss } : {}),
  };
  for (const [i, c] of capturers.entries()) {
    await c.bg.stop(c.kind === 'tcpdump' ? 'SIGINT' : 'SIGTERM');
    const seen = c.kind === 'peng' ? synsSeen(c.bg.stdout) : c.kind === 'tcpdump' ? matchNumber(c.bg, /(\d+) packets captured/) : capCount(c.bg);
    if (c.kind === 'tcpdump') run.tcpdumpKernelDrops = matchNumber(c.bg, /(\d+) packets dropped by kernel/);
    run.seen[c.kind] = seen;
    run.bufferBytes[c.kind] = c.bufferBytes;
    run.cpuMicrosPerSyn[c.kind] = ((cpu[i]! / CLOCK_TICKS_PER_SECOND) * 1e6) / Math.max(1, seen);
  }
  return run;
}

function report(runs: CaptureRun[], flood: CaptureRun, perSynNs: number | undefined): SectionResult {
  const us = (v: number | undefined): string => (v === undefined ? '' : v.toFixed(2));
  const rows: Row[] = [...runs, flood].map((r) => ({
    run: r.label,
    'sent k/s': Math.round(r.achievedPps / 1000),
    'reached target': r.sent,
    'peng seen': r.seen.peng ?? (r.seen.cap !== undefined ? `cap ${r.seen.cap}` : ''),
    'tcpdump seen': r.seen.tcpdump ?? '',
    'peng x reached': ratio(r.seen.peng ?? r.seen.cap ?? NaN, r.sent),
    'tcpdump x reached': ratio(r.seen.tcpdump ?? NaN, r.sent),
    'tcpdump drops': r.tcpdumpKernelDrops,
    'peng cpu us/SYN': us(r.cpuMicrosPerSyn.peng ?? r.cpuMicrosPerSyn.cap),
    'tcpdump cpu us/SYN': us(r.cpuMicrosPerSyn.tcpdump),
    'cpu x tcpdump': ratio(r.cpuMicrosPerSyn.peng ?? r.cpuMicrosPerSyn.cap ?? NaN, r.cpuMicrosPerSyn.tcpdump ?? NaN),
  }));
  // Peng must keep up wherever tcpdump does, with its default ring: a rate tcpdump caught whole, Peng must too.
  const defaultRuns = [...runs, flood].filter((r) => r.seen.peng !== undefined && r.bufferBytes.peng === DEFAULT_BUFFER);
  const lost = defaultRuns.filter((r) => (r.seen.tcpdump ?? 0) >= r.sent && r.seen.peng! < r.sent);
  const goals: Goal[] = [
    goal(
      'live: Peng sees every SYN at every rate at which tcpdump does (4 MiB ring each)',
      'no loss where tcpdump has none',
      lost.length === 0 ? 'held' : `lost at ${lost.map((r) => `${r.label} (${(100 * (1 - r.seen.peng! / r.sent)).toFixed(1)} %)`).join(', ')}`,
      lost.length === 0,
    ),
  ];
  const rss = flood.rss ?? [];
  const first = rss.find((s) => s.point === 'after 1 M SYNs');
  const end = rss.find((s) => s.point === 'at the end');
  if (first && end && end.synsSeen >= 2 * first.synsSeen) {
    const growth = end.rssKiB / first.rssKiB - 1;
    goals.push(goal(`live flood RSS growth from ${(first.synsSeen / 1e6).toFixed(1)} M to ${(end.synsSeen / 1e6).toFixed(1)} M SYNs`, '<= 5 %', `${(growth * 100).toFixed(1)} %`, growth <= 0.05));
  }
  const notes = [
    "same kernel filter (Peng's tagged SYN filter) and ring size for both unless the run says otherwise; Peng with -timeFrame 1s; CPU from /proc/<pid>/stat (10 ms ticks) over the send and a 1.5 s drain.",
    `flood RSS of the Peng process: ${rss.map((s) => `${s.point} ${(s.rssKiB / 1024).toFixed(1)} MiB (${s.synsSeen} SYNs)`).join('; ')}.`,
  ];
  const capRun = runs.find((r) => r.seen.cap !== undefined);
  const pengRun = capRun && runs.find((r) => r.targetPps === capRun.targetPps && r.bufferBytes.peng === DEFAULT_BUFFER);
  if (capRun && pengRun && perSynNs !== undefined) {
    notes.push(
      `CPU per SYN at ${capRun.label.split(',')[0]}: Peng ${us(pengRun.cpuMicrosPerSyn.peng)} us; cap with an empty callback ${us(capRun.cpuMicrosPerSyn.cap)} us; ` +
        `Peng's own work per SYN (decode + classify + addPort, engine section) ${(perSynNs / 1000).toFixed(3)} us; tcpdump ${us(pengRun.cpuMicrosPerSyn.tcpdump)} us.`,
    );
  }
  return { id: 'live', title: 'Live capture loss: masscan SYNs over a veth pair, Peng and tcpdump side by side', rows, goals, notes, data: { runs, flood } };
}

function skipped(reason: string): SectionResult {
  return { id: 'live', title: `Live capture loss: skipped (${reason})`, rows: [], goals: [], notes: [reason] };
}

/** Sum of `capture.synPackets` over the JSON windows Peng has printed so far. */
function synsSeen(stdout: string): number {
  let total = 0;
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      total += (JSON.parse(line) as { capture: { synPackets: number } }).capture.synPackets;
    } catch {
      // a line still being written
    }
  }
  return total;
}

function capCount(bg: Background): number {
  const m = /"packets":(\d+)/.exec(bg.stdout);
  if (!m) throw new Error(`cap-count printed no count: ${bg.stderr.trim().slice(-500)}`);
  return Number(m[1]);
}

/** utime + stime of a process, in clock ticks. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** Packets received on `ifName` in the network namespace of process `pid`. */
function rxPackets(pid: number, ifName: string): number {
  const line = readFileSync(`/proc/${pid}/net/dev`, 'utf8')
    .split('\n')
    .find((l) => l.trim().startsWith(`${ifName}:`));
  if (!line) throw new Error(`no ${ifName} in /proc/${pid}/net/dev`);
  return Number(line.split(':')[1]!.trim().split(/\s+/)[1]);
}

function matchNumber(bg: Background, re: RegExp): number {
  const m = re.exec(bg.stderr);
  if (!m) throw new Error(`tcpdump printed no counts: ${bg.stderr.trim().slice(-500)}`);
  return Number(m[1]);
}
