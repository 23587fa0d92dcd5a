import { readFileSync } from 'node:fs';
import { SYN_FILTER_TAGGED } from '../src/sources/live/bpf-filter.js';
import { sleep, type Background, type NamespacePair } from '../support/netns.js';
import type { BenchOptions } from './options.js';

/**
 * The live section's moving parts: Peng (this build or another) or tcpdump capturing the target end of a veth pair,
 * masscan sending a fixed count of SYNs from the other end, and what /proc says about each process.
 */

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux
/** tcpdump's (libpcap's) ring when -B is not given. */
export const TCPDUMP_DEFAULT_BUFFER = 2 * 2 ** 20;
/** The same ring for both when comparing like with like: 4 MiB. */
export const SAME_BUFFER = 4 * 2 ** 20;
const DRAIN_MS = 1500;
/** Pause between the capturers reporting ready and the first SYN. */
const SETTLE_MS = 1000;

export type CapturerKind = 'peng' | 'tcpdump';

/** What captures the target's interface in a run. */
export interface CapturerSpec {
  kind: CapturerKind;
  /** Kernel ring in bytes; null = the tool's own default (what users get). */
  bufferBytes: number | null;
  /** tcpdump only: open the way cap does (immediate mode) with this snapshot length. */
  immediateSnaplen?: number;
  /** peng only: another build's CLI (an earlier capture backend, measured in the same run); its label. */
  bin?: { path: string; label: string };
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
  bufferBytes: number | null;
  seen: number;
  immediateSnaplen?: number;
  /** "dropped by kernel" (pcap_stats): tcpdump's count, and the sum of Peng's windows' capture.dropped. */
  kernelDrops?: number;
  /** Peak resident memory (VmHWM) of the capturing process. */
  peakRssKiB?: number;
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

function labelOf(spec: CapturerSpec): string {
  const ring = spec.bufferBytes === null ? (spec.kind === 'tcpdump' ? `default ${TCPDUMP_DEFAULT_BUFFER / 2 ** 20} MiB` : 'default') : `${spec.bufferBytes / 2 ** 20} MiB`;
  if (spec.kind === 'tcpdump' && spec.immediateSnaplen !== undefined) return `tcpdump --immediate-mode -s ${spec.immediateSnaplen} (${ring})`;
  return `${spec.kind === 'peng' && spec.bin ? spec.bin.label : spec.kind} (${ring})`;
}

async function startCapturer(pair: NamespacePair, o: BenchOptions, spec: CapturerSpec): Promise<Capturer> {
  const ifName = pair.target.ifName;
  const { kind, bufferBytes } = spec;
  const tcpdumpArgs = ['-i', ifName, '-n', '-w', '/dev/null', ...(bufferBytes === null ? [] : ['-B', String(bufferBytes / 1024)])];
  const pengRing = bufferBytes === null ? [] : ['-bufferSize', String(bufferBytes)];
  if (spec.immediateSnaplen !== undefined) tcpdumpArgs.push('--immediate-mode', '-s', String(spec.immediateSnaplen));
  const bg =
    kind === 'peng'
      ? pair.spawn(pair.target, process.execPath, [spec.bin?.path ?? o.pengBin, '-network', ifName, '-json', '-verbose', '0', '-timeFrame', '1s', ...pengRing])
      : pair.spawn(pair.target, 'tcpdump', [...tcpdumpArgs, SYN_FILTER_TAGGED]);
  await bg.waitFor(kind === 'peng' ? /watching / : /listening on/, 20_000);
  return { ...spec, label: labelOf(spec), bg, pid: bg.child.pid!, cpuAtStart: { user: 0, sys: 0 } };
}

/** One run: start the capturers, send `count` SYNs at `rate` (0 = as fast as possible), stop them, count. */
export async function captureRun(
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
  const peaks = capturers.map((c) => peakRssKiB(c.pid));
  for (const [i, c] of capturers.entries()) {
    await c.bg.stop(c.kind === 'tcpdump' ? 'SIGINT' : 'SIGTERM');
    const seen = c.kind === 'peng' ? synsSeen(c.bg.stdout) : matchNumber(c.bg, /(\d+) packets captured/);
    const ticks = cpu[i]!.user + cpu[i]!.sys;
    captures.push({
      capturer: c.label,
      kind: c.kind,
      bufferBytes: c.bufferBytes,
      ...(c.immediateSnaplen !== undefined ? { immediateSnaplen: c.immediateSnaplen } : {}),
      seen,
      ...(c.kind === 'tcpdump' ? { kernelDrops: matchNumber(c.bg, /(\d+) packets dropped by kernel/) } : {}),
      ...(c.kind === 'peng' && /"dropped":/.test(c.bg.stdout) ? { kernelDrops: droppedSum(c.bg.stdout) } : {}),
      ...(peaks[i] !== undefined ? { peakRssKiB: peaks[i] } : {}),
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

/** Sum of `capture.dropped` over the JSON windows Peng printed. */
function droppedSum(stdout: string): number {
  let total = 0;
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      total += (JSON.parse(line) as { capture: { dropped?: number } }).capture.dropped ?? 0;
    } catch {
      // a line still being written
    }
  }
  return total;
}

/** VmHWM of a process in KiB, undefined when it cannot be read. */
function peakRssKiB(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Sum of `capture.synPackets` over the JSON windows Peng has printed so far. */
export function synsSeen(stdout: string): number {
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
