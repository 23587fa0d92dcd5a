import { join } from 'node:path';
import { run } from '../../support/netns.js';
import { repoRoot } from '../../support/paths.js';

/** The independent Python reference (tshark + stdlib), kept in the source tree: it is not compiled. */
export const referenceScript: string = join(repoRoot, 'test', 'reference', 'peng_reference.py');

/** One window as the reference prints it. */
export interface ReferenceWindow {
  /** The run this window belongs to: its time frame and local addresses as given. */
  time_frame: string;
  local: string;
  start: string;
  end: string;
  /** Exact nanoseconds, as text (beyond 2**53). */
  start_ns: string;
  end_ns: string;
  frames: number;
  syn_packets: number;
  client_entropy: number;
  server_entropy: number;
  client_syns: number;
  server_syns: number;
}

/** One way of reading a capture. */
export interface ReferenceRun {
  /** Go-style duration, as Peng's -timeFrame takes it. */
  timeFrame: string;
  /** Addresses or prefixes of the watched host; none means every SYN is server traffic. */
  local?: readonly string[];
}

/** The bitmap's shape; the seed's 16 x 1024 by default. */
export interface ReferenceShape {
  bins?: number;
  size?: number;
}

const localText = (run: ReferenceRun): string => (run.local ?? []).join(',');

/** Windows of each run, in the order of `runs`, from one reading of the file by tshark. */
export async function referenceRuns(file: string, runs: readonly ReferenceRun[], shape: ReferenceShape = {}): Promise<ReferenceWindow[][]> {
  const frames = [...new Set(runs.map((r) => r.timeFrame))];
  const locals = [...new Set(runs.map(localText))];
  const args = [referenceScript, file, ...frames.flatMap((f) => ['--time-frame', f]), ...locals.flatMap((l) => ['--local', l])];
  if (shape.bins !== undefined) args.push('--bins', String(shape.bins));
  if (shape.size !== undefined) args.push('--size', String(shape.size));
  const { stdout } = await run(null, 'python3', args, { timeoutMs: 60_000 });
  const windows = stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ReferenceWindow);
  return runs.map((r) => windows.filter((w) => w.time_frame === r.timeFrame && w.local === localText(r)));
}

/** Windows of a single run. */
export async function referenceWindows(file: string, options: ReferenceRun & ReferenceShape): Promise<ReferenceWindow[]> {
  const [windows] = await referenceRuns(file, [options], options);
  return windows!;
}
