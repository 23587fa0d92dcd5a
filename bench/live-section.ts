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
/** Pause between the capturers reporting ready and the first SYN. */
const SETTLE_MS = Number(process.env.BENCH_LIVE_SETTLE_MS ?? 2000);

type CapturerKind = 'peng' | 'tcpdump' | 'cap';

/** What captures the target's interface in a run. */
interface CapturerSpec {
  kind: CapturerKind;
  bufferBytes: number;
  /** tcpdump only: open the way cap does (immediate mode) with this snapshot length. */
  immediateSnaplen?: number;
}

interface Capturer extends CapturerSpec {
  label: string;
  bg: Background;
  pid: number;
  cpuAtStart: { user: number; sys: number };
}

/** One capturer's figures in one run. */
export interface CaptureFigures {
  capturer: string;
  kind: CapturerKind;
  bufferBytes: number;
  seen: number;
  /** tcpdump's "dropped by kernel" (pcap_stats); Peng and cap cannot tell. */
  kernelDrops?: number;
  cpuMicrosPerSyn: number;
  /** Share of that CPU spent in the kernel (poll wake-ups, ring reads). */
  systemShare: number;
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
  captures: CaptureFigures[];
  /** Peng's RSS during a flood: after start-up, once it had seen >= 1 M SYNs, at the end. */
  rss?: Array<{ point: string; synsSeen: number; rssKiB: number }>;
}

const PENG: CapturerSpec = { kind: 'peng', bufferBytes: DEFAULT_BUFFER };
const TCPDUMP: CapturerSpec = { kind: 'tcpdump', bufferBytes: DEFAULT_BUFFER };

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
      const go = async (label: string, rate: number, count: number, specs: CapturerSpec[], sampleMemory = false): Promise<CaptureRun> => {
        const r = await captureRun(pair, o, label, rate, count, specs, sampleMemory);
        log(`  ${label}: ${r.sent} SYNs at ~${Math.round(r.achievedPps / 1000)} k/s; seen: ${r.captures.map((c) => `${c.capturer} ${c.seen}`).join(', ')}`);
        runs.push(r);
        return r;
      };
      log('live: SYNs at increasing rates, Peng and tcpdump side by side');
      for (const rate of rates) {
        const r = await go(`${rate / 1000} k/s`, rate, Math.min(1_000_000, Math.max(10_000, rate * seconds)), [PENG, TCPDUMP]);
        if (r.achievedPps < rate * 0.6) {
          log(`  the sender tops out near ${Math.round(r.achievedPps / 1000)} k/s; higher rates skipped`);
          break;
        }
      }
      // Where Peng lost SYNs, tell the ring's size from CPU: a much larger ring; cap with an empty callback;
      // and tcpdump opened the way cap opens (immediate mode, 64 KiB snapshot) against a small snapshot.
      const lossy = runs.find((r) => seenBy(r, 'peng') < r.sent) ?? runs.at(-1)!;
      const rate = lossy.targetPps;
      log(`live: why Peng loses SYNs, at ${rate / 1000} k/s`);
      await go(`${rate / 1000} k/s, 256 MiB ring`, rate, lossy.requested, [{ kind: 'peng', bufferBytes: LARGE_BUFFER }, TCPDUMP]);
      await go(`${rate / 1000} k/s, cap alone`, rate, lossy.requested, [{ kind: 'cap', bufferBytes: DEFAULT_BUFFER }, TCPDUMP]);
      await go(`${rate / 1000} k/s, tcpdump as cap opens`, rate, lossy.requested, [
        { kind: 'tcpdump', bufferBytes: DEFAULT_BUFFER, immediateSnaplen: 65535 },
        { kind: 'tcpdump', bufferBytes: DEFAULT_BUFFER, immediateSnaplen: 256 },
      ]);
      const top = Math.max(...runs.map((r) => r.achievedPps));
      // Bounded in time: as many SYNs as the sender manages in ~40 s, at most 10 M (1 M quick).
      const floodCount = Math.max(1_000_000, Math.min(o.quick ? 1_000_000 : 10_000_000, Math.round((top * 40) / 65535) * 65535));
      log(`live: flood of ${floodCount} SYNs as fast as the sender goes, sampling Peng's RSS`);
      const flood = await go('flood', 0, floodCount, [PENG, TCPDUMP], true);
      return report(runs, flood, perSynNs);
    });
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

function seenBy(run: CaptureRun, kind: CapturerKind, bufferBytes = DEFAULT_BUFFER): number {
  return run.captures.find((c) => c.kind === kind && c.bufferBytes === bufferBytes && !c.capturer.includes('immediate'))?.seen ?? NaN;
}

function labelOf(spec: CapturerSpec): string {
  const ring = `${spec.bufferBytes / 2 ** 20} MiB`;
  if (spec.kind === 'tcpdump' && spec.immediateSnaplen !== undefined) return `tcpdump --immediate-mode -s ${spec.immediateSnaplen} (${ring})`;
  return `${spec.kind === 'cap' ? 'cap, empty callback' : spec.kind} (${ring})`;
}

async function startCapturer(pair: NamespacePair, o: BenchOptions, spec: CapturerSpec): Promise<Capturer> {
  const ifName = pair.target.ifName;
  const { kind, bufferBytes } = spec;
  const tcpdumpArgs = ['-i', ifName, '-n', '-B', String(bufferBytes / 1024), '-w', '/dev/null'];
  if (spec.immediateSnaplen !== undefined) tcpdumpArgs.push('--immediate-mode', '-s', String(spec.immediateSnaplen));
  const bg =
    kind === 'peng'
      ? pair.spawn(pair.target, 'node', [o.pengBin, '-network', ifName, '-json', '-verbose', '0', '-timeFrame', '1s', '-bufferSize', String(bufferBytes)])
      : kind === 'tcpdump'
        ? pair.spawn(pair.target, 'tcpdump', [...tcpdumpArgs, SYN_FILTER_TAGGED])
        : pair.spawn(pair.target, 'node', [benchScript('cap-count.js'), ifName, String(bufferBytes)]);
  await bg.waitFor(kind === 'peng' ? /watching / : /listening on/, 20_000);
  return { ...spec, label: labelOf(spec), bg, pid: bg.child.pid!, cpuAtStart: { user: 0, sys: 0 } };
}

/** One run: start the capturers, send `count` SYNs at `rate` (0 = as fast as possible), stop them, count. */
async function captureRun(
  pair: NamespacePair,
  o: BenchOptions,
  label: string,
  rate: number,
  count: number,
  specs: readonly CapturerSpec[],
  sampleMemory: boolean,
): Promise<CaptureRun> {
  const { scanner, target } = pair;
  const capturers: Capturer[] = [];
  for (const spec of specs) capturers.push(await startCapturer(pair, o, spec));
  await sleep(SETTLE_MS);
  const peng = capturers.find((c) => c.kind === 'peng');
  const probePid = capturers[0]!.pid; // any process in the target namespace shows its interface counters
  const rss: NonNullable<CaptureRun['rss']> = [];
  if (sampleMemory && peng) rss.push({ point: 'after start-up', synsSeen: 0, rssKiB: rssKiB(peng.pid) });
  for (const c of capturers) c.cpuAtStart = cpuTicks(c.pid);

  // masscan sends each (address, port) once: spread the count over enough addresses on the target's subnet.
  // None of them is the target's own address, so its kernel stays silent (no RST for masscan to answer).
  const addresses = Math.ceil(count / 65535);
  const ports = Math.ceil(count / addresses);
  const requested = addresses * ports;
  const subnet = target.ipv4.split('.').slice(0, 3).join('.');
  const range = `${subnet}.10-${subnet}.${9 + addresses}`;
  const rx0 = rxPackets(probePid, target.ifName);
  const sender = pair.spawn(scanner, 'masscan', [
    '--adapter', scanner.ifName, '--adapter-ip', scanner.ipv4, '--adapter-mac', scanner.mac, '--router-mac', target.mac,
    '--rate', String(rate === 0 ? 100_000_000 : rate), '--wait', '0', '--retries', '0', `-p1-${ports}`, range,
  ]);
  // masscan can linger long after its last packet, so the target's receive counter says when sending is done.
  const deadline = Date.now() + Math.max(20_000, (requested / Math.max(rate, 100_000)) * 3000 + 15_000);
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
    if (received >= requested) break;
    if (!sender.running && (firstAt === 0 || now - lastAt > 1000)) break;
    if (firstAt !== 0 && now - lastAt > 5000) break; // the sender stalled
    if (now > deadline) break;
  }
  await sender.stop('SIGKILL', 2000);
  if (received === 0) throw new Error(`masscan delivered nothing to the target: ${sender.stderr.replace(/\r/g, '\n').trim().slice(-300)}`);
  await sleep(DRAIN_MS); // every capturer drains its ring; Peng's 1 s windows close meanwhile
  const cpu = capturers.map((c) => {
    const now = cpuTicks(c.pid);
    return { user: now.user - c.cpuAtStart.user, sys: now.sys - c.cpuAtStart.sys };
  });
  if (sampleMemory && peng) rss.push({ point: 'at the end', synsSeen: synsSeen(peng.bg.stdout), rssKiB: rssKiB(peng.pid) });
  const captures: CaptureFigures[] = [];
  for (const [i, c] of capturers.entries()) {
    await c.bg.stop(c.kind === 'tcpdump' ? 'SIGINT' : 'SIGTERM');
    const seen = c.kind === 'peng' ? synsSeen(c.bg.stdout) : c.kind === 'tcpdump' ? matchNumber(c.bg, /(\d+) packets captured/) : capCount(c.bg);
    const ticks = cpu[i]!.user + cpu[i]!.sys;
    captures.push({
      capturer: c.label,
      kind: c.kind,
      bufferBytes: c.bufferBytes,
      seen,
      ...(c.kind === 'tcpdump' ? { kernelDrops: matchNumber(c.bg, /(\d+) packets dropped by kernel/) } : {}),
      cpuMicrosPerSyn: ((ticks / CLOCK_TICKS_PER_SECOND) * 1e6) / Math.max(1, seen),
      systemShare: cpu[i]!.sys / Math.max(1, ticks),
    });
  }
  return {
    label,
    targetPps: rate,
    // Frames the target's interface received (masscan cannot overshoot; a veth may drop under a flood).
    sent: Math.min(requested, received),
    requested,
    achievedPps: received / Math.max(0.05, (lastAt - firstAt) / 1000),
    captures,
    ...(sampleMemory ? { rss } : {}),
  };
}

function report(runs: CaptureRun[], flood: CaptureRun, perSynNs: number | undefined): SectionResult {
  const rows: Row[] = runs.flatMap((r) =>
    r.captures.map((c, i) => ({
      run: i === 0 ? r.label : '',
      'on wire k/s': i === 0 ? Math.round(r.achievedPps / 1000) : '',
      'reached target': i === 0 ? r.sent : '',
      capturer: c.capturer,
      seen: c.seen,
      'seen x reached': ratio(c.seen, r.sent),
      'kernel drops': c.kernelDrops ?? 'unknown',
      'cpu us/SYN': Math.round(c.cpuMicrosPerSyn * 100) / 100,
      'cpu x tcpdump': cpuRatio(c, r),
      'sys %': Math.round(100 * c.systemShare),
    })),
  );
  // Peng must keep up wherever tcpdump does, each with the same 4 MiB ring.
  const sideBySide = runs.filter((r) => !Number.isNaN(seenBy(r, 'peng')) && !Number.isNaN(seenBy(r, 'tcpdump')));
  const lost = sideBySide.filter((r) => seenBy(r, 'tcpdump') >= r.sent && seenBy(r, 'peng') < r.sent);
  const goals: Goal[] = [
    goal(
      'live: Peng sees every SYN at every rate at which tcpdump does (4 MiB ring each)',
      'no loss where tcpdump has none',
      lost.length === 0 ? 'held' : `lost at ${lost.map((r) => `${r.label} (${(100 * (1 - seenBy(r, 'peng') / r.sent)).toFixed(1)} %)`).join(', ')}`,
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
    "every capturer uses Peng's tagged SYN filter; Peng runs with -timeFrame 1s; CPU from /proc/<pid>/stat (10 ms ticks) over the send and a 1.5 s drain; 'kernel drops' is pcap_stats, which cap does not expose.",
    `flood RSS of the Peng process: ${rss.map((s) => `${s.point} ${(s.rssKiB / 1024).toFixed(1)} MiB (${s.synsSeen} SYNs)`).join('; ')}.`,
  ];
  if (perSynNs !== undefined) notes.push(`Peng's own work per SYN (decode + classify + addPort, engine section): ${(perSynNs / 1000).toFixed(3)} us.`);
  return { id: 'live', title: 'Live capture loss: masscan SYNs over a veth pair, capturers side by side', rows, goals, notes, data: { runs } };
}

/** CPU per SYN against the run's plain tcpdump; 'n/a' when tcpdump used less than one 10 ms tick. */
function cpuRatio(c: CaptureFigures, run: CaptureRun): number | string {
  const base = run.captures.find((x) => x.kind === 'tcpdump' && !x.capturer.includes('immediate'));
  if (!base || base.cpuMicrosPerSyn === 0) return 'n/a';
  return ratio(c.cpuMicrosPerSyn, base.cpuMicrosPerSyn);
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

/** User and system CPU of a process, in clock ticks. */
function cpuTicks(pid: number): { user: number; sys: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]), sys: Number(fields[12]) };
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
