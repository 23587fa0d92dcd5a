import { readFileSync } from 'node:fs';
import { SYN_FILTER_TAGGED } from '../src/sources/bpf-filter.js';
import { run, sleep, withNamespaces, type Background, type NamespacePair } from '../test/support/netns.js';
import { ratio } from './measure.js';
import type { BenchOptions } from './options.js';
import { goal, type Goal, type Row, type SectionResult } from './report.js';

/**
 * Section 3 (and the live half of 4): SYNs sent by masscan at fixed counts and increasing rates across a
 * veth pair between two namespaces this section creates; Peng and tcpdump capture the receiving end at
 * the same time with the same filter and kernel buffer. Namespaces are removed however the run ends.
 */

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux
const PENG_BUFFER = '4MiB';
const TCPDUMP_BUFFER_KIB = '4096';

export interface RateResult {
  targetPps: number;
  sent: number;
  /** Rate the sender reached: SYNs over its whole run time (start-up included). */
  achievedPps: number;
  pengSeen: number;
  tcpdumpSeen: number;
  tcpdumpKernelDrops: number;
  pengCpuMicrosPerSyn: number;
  tcpdumpCpuMicrosPerSyn: number;
}

interface FloodResult {
  sent: number;
  achievedPps: number;
  pengSeen: number;
  tcpdumpSeen: number;
  /** RSS of the Peng process: after start-up, once it had seen >= 1 M SYNs, and at the end. */
  rss: Array<{ point: string; synsSeen: number; rssKiB: number }>;
}

export async function liveSection(o: BenchOptions, log: (line: string) => void, perSynNs?: number): Promise<SectionResult> {
  if (!o.live) return skipped('BENCH_LIVE=0');
  if (process.getuid?.() !== 0) return skipped('needs root for network namespaces and capture');
  const rates = o.quick ? [10_000, 100_000] : [10_000, 30_000, 100_000, 300_000, 1_000_000];
  const seconds = o.quick ? 1 : 2;
  const floodCount = o.quick ? 1_000_000 : 10_000_000;
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
      const results: RateResult[] = [];
      for (const rate of rates) {
        const count = Math.min(1_000_000, Math.max(10_000, rate * seconds));
        log(`live: ${count} SYNs at ${rate / 1000} k/s`);
        const r = await captureRun(pair, rate, count, o.pengBin);
        results.push(r.rate);
        log(`  sent ${r.rate.sent} at ~${Math.round(r.rate.achievedPps / 1000)} k/s: peng ${r.rate.pengSeen}, tcpdump ${r.rate.tcpdumpSeen} (${r.rate.tcpdumpKernelDrops} dropped by kernel)`);
        if (r.rate.achievedPps < rate * 0.6) {
          log(`  the sender tops out near ${Math.round(r.rate.achievedPps / 1000)} k/s; higher rates skipped`);
          break;
        }
      }
      log(`live: flood of ${floodCount} SYNs as fast as the sender goes, sampling Peng's RSS`);
      const flood = (await captureRun(pair, 0, floodCount, o.pengBin, true)).flood!;
      return report(results, flood, perSynNs);
    });
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** One capture run: start both capturers, send `count` SYNs at `rate` (0 = unlimited), stop, count. */
async function captureRun(pair: NamespacePair, rate: number, count: number, pengBin: string, sampleMemory = false): Promise<{ rate: RateResult; flood?: FloodResult }> {
  const { scanner, target } = pair;
  const peng = pair.spawn(target, 'node', [pengBin, '-network', target.ifName, '-json', '-verbose', '0', '-timeFrame', '1s', '-bufferSize', PENG_BUFFER]);
  const tcpdump = pair.spawn(target, 'tcpdump', ['-i', target.ifName, '-n', '-B', TCPDUMP_BUFFER_KIB, '-w', '/dev/null', SYN_FILTER_TAGGED]);
  await peng.waitFor(/watching /, 20_000);
  await tcpdump.waitFor(/listening on/, 10_000);
  await sleep(300);
  const pengPid = peng.child.pid!;
  const tcpdumpPid = tcpdump.child.pid!;
  const rss: FloodResult['rss'] = [];
  if (sampleMemory) rss.push({ point: 'after start-up', synsSeen: 0, rssKiB: rssKiB(pengPid) });
  const pengCpu0 = cpuTicks(pengPid);
  const tcpdumpCpu0 = cpuTicks(tcpdumpPid);

  // masscan sends each (address, port) once: spread the count over enough addresses on the target's subnet.
  const addresses = Math.ceil(count / 65535);
  const ports = Math.ceil(count / addresses);
  const sent = addresses * ports;
  const subnet = target.ipv4.split('.').slice(0, 3).join('.');
  const range = addresses === 1 ? target.ipv4 : `${subnet}.2-${subnet}.${1 + addresses}`;
  const sendRate = rate === 0 ? 50_000_000 : rate;
  let memoryPoll: NodeJS.Timeout | null = null;
  if (sampleMemory) {
    memoryPoll = setInterval(() => {
      const seen = synsSeen(peng.stdout);
      if (seen >= 1_000_000 && !rss.some((s) => s.point === 'after 1 M SYNs')) rss.push({ point: 'after 1 M SYNs', synsSeen: seen, rssKiB: rssKiB(pengPid) });
    }, 200);
  }
  const started = process.hrtime.bigint();
  try {
    await run(scanner, 'masscan', [
      '--adapter', scanner.ifName, '--adapter-ip', scanner.ipv4, '--adapter-mac', scanner.mac, '--router-mac', target.mac,
      '--rate', String(sendRate), '--wait', '0', '--retries', '0', `-p1-${ports}`, range,
    ], { timeoutMs: Math.max(30_000, (sent / Math.min(sendRate, 200_000)) * 3000 + 10_000) });
  } finally {
    if (memoryPoll) clearInterval(memoryPoll);
  }
  const sendSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  await sleep(1500); // let both drain their buffers; Peng's 1 s windows close meanwhile
  const pengCpu = cpuTicks(pengPid) - pengCpu0;
  const tcpdumpCpu = cpuTicks(tcpdumpPid) - tcpdumpCpu0;
  if (sampleMemory) rss.push({ point: 'at the end', synsSeen: synsSeen(peng.stdout), rssKiB: rssKiB(pengPid) });
  await tcpdump.stop('SIGINT');
  await peng.stop('SIGTERM');
  const tcpdumpSeen = matchNumber(tcpdump, /(\d+) packets captured/);
  const pengSeen = synsSeen(peng.stdout);
  const result: RateResult = {
    targetPps: rate,
    sent,
    achievedPps: sent / sendSeconds,
    pengSeen,
    tcpdumpSeen,
    tcpdumpKernelDrops: matchNumber(tcpdump, /(\d+) packets dropped by kernel/),
    pengCpuMicrosPerSyn: ((pengCpu / CLOCK_TICKS_PER_SECOND) * 1e6) / Math.max(1, pengSeen),
    tcpdumpCpuMicrosPerSyn: ((tcpdumpCpu / CLOCK_TICKS_PER_SECOND) * 1e6) / Math.max(1, tcpdumpSeen),
  };
  return { rate: result, ...(sampleMemory ? { flood: { sent, achievedPps: result.achievedPps, pengSeen, tcpdumpSeen, rss } } : {}) };
}

function report(results: RateResult[], flood: FloodResult, perSynNs: number | undefined): SectionResult {
  const rows: Row[] = results.map((r) => ({
    'target k/s': r.targetPps / 1000,
    'sent k/s': Math.round(r.achievedPps / 1000),
    sent: r.sent,
    'peng seen': r.pengSeen,
    'tcpdump seen': r.tcpdumpSeen,
    'peng x sent': ratio(r.pengSeen, r.sent),
    'tcpdump x sent': ratio(r.tcpdumpSeen, r.sent),
    'tcpdump kernel drops': r.tcpdumpKernelDrops,
    'peng cpu us/SYN': Math.round(r.pengCpuMicrosPerSyn * 100) / 100,
    'tcpdump cpu us/SYN': Math.round(r.tcpdumpCpuMicrosPerSyn * 100) / 100,
    'cpu peng x tcpdump': ratio(r.pengCpuMicrosPerSyn, r.tcpdumpCpuMicrosPerSyn),
  }));
  rows.push({
    'target k/s': 'flood',
    'sent k/s': Math.round(flood.achievedPps / 1000),
    sent: flood.sent,
    'peng seen': flood.pengSeen,
    'tcpdump seen': flood.tcpdumpSeen,
    'peng x sent': ratio(flood.pengSeen, flood.sent),
    'tcpdump x sent': ratio(flood.tcpdumpSeen, flood.sent),
  });
  // Peng must keep up wherever tcpdump does: a rate tcpdump caught whole, Peng must catch whole too.
  const lossWhereTcpdumpKeptUp = [...results, { ...flood, targetPps: 0 }].filter((r) => r.tcpdumpSeen >= r.sent && r.pengSeen < r.sent);
  const first = flood.rss.find((s) => s.point === 'after 1 M SYNs');
  const end = flood.rss.find((s) => s.point === 'at the end')!;
  const goals: Goal[] = [
    goal(
      'live: Peng sees every SYN at every rate at which tcpdump does',
      'no loss where tcpdump has none',
      lossWhereTcpdumpKeptUp.length === 0 ? 'held' : `lost SYNs at ${lossWhereTcpdumpKeptUp.map((r) => (r.targetPps === 0 ? 'flood' : `${r.targetPps / 1000} k/s`)).join(', ')}`,
      lossWhereTcpdumpKeptUp.length === 0,
    ),
  ];
  if (first && end.synsSeen >= 5 * first.synsSeen) {
    const growth = end.rssKiB / first.rssKiB - 1;
    goals.push(goal(`live flood RSS growth from ${(first.synsSeen / 1e6).toFixed(1)} M to ${(end.synsSeen / 1e6).toFixed(1)} M SYNs`, '<= 5 %', `${(growth * 100).toFixed(1)} %`, growth <= 0.05));
  }
  const last = results.at(-1);
  const notes = [
    `same kernel filter (Peng's tagged SYN filter) and 4 MiB kernel buffer for both; Peng's -timeFrame 1s; CPU from /proc/<pid>/stat over the send and a 1.5 s drain.`,
    `flood RSS of the Peng process: ${flood.rss.map((s) => `${s.point} ${(s.rssKiB / 1024).toFixed(1)} MiB (${s.synsSeen} SYNs)`).join('; ')}.`,
  ];
  if (perSynNs !== undefined && last) {
    const callbackUs = perSynNs / 1000;
    notes.push(
      `per SYN, Peng's own work (decode + classify + addPort, engine section) is ${callbackUs.toFixed(3)} us of the ${last.pengCpuMicrosPerSyn.toFixed(2)} us the process spends at ${last.targetPps / 1000} k/s: ` +
        `the rest (${(last.pengCpuMicrosPerSyn - callbackUs).toFixed(2)} us) is cap's one-event-per-packet path (poll wake-up, pcap_dispatch of one packet, copy, a JS call through the event emitter).`,
    );
  }
  return { id: 'live', title: 'Live capture loss: masscan SYNs over a veth pair, Peng and tcpdump side by side', rows, goals, notes, data: { results, flood } };
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

function matchNumber(bg: Background, re: RegExp): number {
  const m = re.exec(bg.stderr);
  if (!m) throw new Error(`tcpdump printed no counts: ${bg.stderr.trim().slice(-500)}`);
  return Number(m[1]);
}
