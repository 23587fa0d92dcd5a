import { withNamespaces, type NamespacePair } from '../support/netns.js';
import { captureRun, SAME_BUFFER, type CaptureFigures, type CaptureRun, type CapturerKind, type CapturerSpec } from './live-capturers.js';
import { ratio } from './measure.js';
import type { BenchOptions } from './options.js';
import { goal, type Goal, type Row, type SectionResult } from './report.js';

/**
 * Section 3 (and the live half of 4): SYNs sent by masscan at fixed counts and increasing rates across a
 * veth pair between two namespaces this section creates; Peng and tcpdump, each as users run it, capture
 * the receiving end at the same time with the same filter. Then runs that tell the ring's size from CPU
 * cost, and a flood that samples Peng's RSS. Namespaces are removed however the run ends.
 */

const PENG: CapturerSpec = { kind: 'peng', bufferBytes: null };
const TCPDUMP: CapturerSpec = { kind: 'tcpdump', bufferBytes: null };

/** Peng's default -bufferSize, read from its configuration schema. */
async function pengDefaultBuffer(): Promise<number> {
  const { loadConfig } = await import('../src/config/load-config.js');
  return loadConfig([], {}).bufferSize;
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
      // Why a ring of a given size holds fewer SYNs for Peng than for tcpdump, and what cap itself costs:
      // at the first rate where Peng lost SYNs (else the lowest), both with the same 4 MiB ring; cap with an
      // empty callback; tcpdump opened the way cap opens (immediate mode, 64 KiB snapshot) against a 256-byte snapshot.
      const probe = runs.find((r) => seenBy(r, 'peng') < r.sent) ?? runs[0]!;
      const rate = probe.targetPps;
      log(`live: ring size and cap's own cost, at ${rate / 1000} k/s`);
      await go(`${rate / 1000} k/s, same 4 MiB ring`, rate, probe.requested, [
        { kind: 'peng', bufferBytes: SAME_BUFFER },
        { kind: 'tcpdump', bufferBytes: SAME_BUFFER },
      ]);
      await go(`${rate / 1000} k/s, tcpdump as cap opens`, rate, probe.requested, [
        { kind: 'tcpdump', bufferBytes: SAME_BUFFER, immediateSnaplen: 65535 },
        { kind: 'tcpdump', bufferBytes: SAME_BUFFER, immediateSnaplen: 256 },
      ]);
      const top = Math.max(...runs.map((r) => r.achievedPps));
      // Bounded in time: as many SYNs as the sender manages in ~55 s, at most 10 M (1 M quick).
      const floodCount = Math.max(1_000_000, Math.min(o.quick ? 1_000_000 : 10_000_000, Math.round((top * 55) / 65535) * 65535));
      log(`live: flood of ${floodCount} SYNs as fast as the sender goes, sampling Peng's RSS`);
      const flood = await go('flood', 0, floodCount, [PENG, TCPDUMP], true);
      return report(runs, flood, perSynNs, await pengDefaultBuffer());
    });
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** What the tool with its default ring saw in a run (NaN when it did not take part). */
function seenBy(run: CaptureRun, kind: CapturerKind): number {
  return run.captures.find((c) => c.kind === kind && c.bufferBytes === null)?.seen ?? NaN;
}

function report(runs: CaptureRun[], flood: CaptureRun, perSynNs: number | undefined, pengRing: number): SectionResult {
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
  // Peng must keep up wherever tcpdump does, each as users run it (default ring).
  const sideBySide = runs.filter((r) => !Number.isNaN(seenBy(r, 'peng')) && !Number.isNaN(seenBy(r, 'tcpdump')));
  const lost = sideBySide.filter((r) => seenBy(r, 'tcpdump') >= r.sent && seenBy(r, 'peng') < r.sent);
  const goals: Goal[] = [
    goal(
      'live: Peng sees every SYN at every rate at which tcpdump does (default rings)',
      'no loss where tcpdump has none',
      lost.length === 0 ? 'held' : `lost at ${lost.map((r) => `${r.label} (${(100 * (1 - seenBy(r, 'peng') / r.sent)).toPrecision(2)} %)`).join(', ')}`,
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
    `every capturer uses Peng's tagged SYN filter; Peng's default ring is ${pengRing / 2 ** 20} MiB; Peng runs with -timeFrame 1s; CPU from /proc/<pid>/stat (10 ms ticks) over the send and a 1.5 s drain; 'kernel drops' is pcap_stats, which cap does not expose.`,
    `flood RSS of the Peng process: ${rss.map((s) => `${s.point} ${(s.rssKiB / 1024).toFixed(1)} MiB (${s.synsSeen} SYNs)`).join('; ')}.`,
  ];
  if (perSynNs !== undefined) notes.push(`Peng's own work per SYN (decode + classify + addPort, engine section): ${(perSynNs / 1000).toFixed(3)} us.`);
  return { id: 'live', title: 'Live capture loss: masscan SYNs over a veth pair, capturers side by side', rows, goals, notes, data: { runs } };
}

/** CPU per SYN against the run's plain tcpdump; 'n/a' when tcpdump used less than one 10 ms tick. */
function cpuRatio(c: CaptureFigures, run: CaptureRun): number | string {
  const base = run.captures.find((x) => x.kind === 'tcpdump' && x.immediateSnaplen === undefined);
  if (!base || base.cpuMicrosPerSyn === 0) return 'n/a';
  return ratio(c.cpuMicrosPerSyn, base.cpuMicrosPerSyn);
}

function skipped(reason: string): SectionResult {
  return { id: 'live', title: `Live capture loss: skipped (${reason})`, rows: [], goals: [], notes: [reason] };
}

