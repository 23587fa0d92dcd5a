import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One timed run of a whole process (or a shell pipeline: its children are counted too). */
export interface Timing {
  wallMs: number;
  /** User plus system CPU of the process and every child it waited for. */
  cpuMs: number;
  /** Largest resident set of the process or of any one child, KiB. */
  maxRssKiB: number;
}

export interface CommandResult extends Timing {
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  /** Keep stdout (for a probe's JSON); by default it goes to /dev/null like a sink nobody reads. */
  captureStdout?: boolean;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

const scratch = mkdtempSync(join(tmpdir(), 'peng-bench-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
let runCounter = 0;

/**
 * Runs `argv` under GNU time for its CPU and peak RSS, timing the wall clock here. Rejects, with the
 * command's stderr, when it fails or outlives `timeoutMs` (default 120 s), so a broken figure is never reported.
 */
export function timeCommand(argv: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  const timeFile = join(scratch, `time-${++runCounter}`);
  const devNull = options.captureStdout ? null : openSync('/dev/null', 'w');
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%U %S %M', '-o', timeFile, ...argv], {
      stdio: ['ignore', devNull ?? 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    if (devNull !== null) closeSync(devNull);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${argv.join(' ')}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) {
        reject(new Error(`${argv.join(' ').slice(0, 300)} failed (${signal ?? `exit ${code}`}): ${stderr.trim().slice(-1500)}`));
        return;
      }
      const [user = NaN, sys = NaN, rss = NaN] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      rmSync(timeFile, { force: true });
      resolve({ wallMs, cpuMs: (user + sys) * 1000, maxRssKiB: rss, stdout, stderr });
    });
  });
}

/** A process to time against others on the same input. */
export interface Contender {
  name: string;
  argv: readonly string[];
  /** Checks the warm-up run's stdout (frames or SYNs counted); throws when it is wrong. */
  check?: (result: CommandResult) => void;
}

export interface ContenderTimings {
  name: string;
  runs: Timing[];
  wallMs: number;
  cpuMs: number;
  maxRssKiB: number;
}

/**
 * Times every contender `runs` times, interleaved and rotating the order each round so drift on a shared
 * machine (page cache, other load) falls on all of them alike; one untimed warm-up round first.
 * Reports medians.
 */
export async function alternate(contenders: readonly Contender[], runs: number, log: (line: string) => void): Promise<ContenderTimings[]> {
  const results = contenders.map(() => [] as Timing[]);
  for (let round = -1; round < runs; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const i = (k + Math.max(round, 0)) % contenders.length;
      const c = contenders[i]!;
      // Output is checked once, in the warm-up; timed runs write to /dev/null.
      const checking = round < 0 && c.check !== undefined;
      const result = await timeCommand(c.argv, { captureStdout: checking });
      if (checking) c.check!(result);
      if (round >= 0) results[i]!.push({ wallMs: result.wallMs, cpuMs: result.cpuMs, maxRssKiB: result.maxRssKiB });
    }
    if (round >= 0) log(`  round ${round + 1}/${runs}: ${contenders.map((c, i) => `${c.name} ${fmtMs(results[i]!.at(-1)!.wallMs)}`).join(', ')}`);
  }
  return contenders.map((c, i) => ({
    name: c.name,
    runs: results[i]!,
    wallMs: median(results[i]!.map((r) => r.wallMs)),
    cpuMs: median(results[i]!.map((r) => r.cpuMs)),
    maxRssKiB: median(results[i]!.map((r) => r.maxRssKiB)),
  }));
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

/** `x` as a multiple of `base`, two decimals: the form every figure is also given in. */
export function ratio(x: number, base: number): number {
  return Math.round((x / base) * 100) / 100;
}
