import type { GeneratedCapture } from './generate-capture.js';
import { alternate, ratio, type CommandResult, type Contender, type ContenderTimings } from './measure.js';
import type { BenchOptions } from './options.js';
import { checkPengTotals } from './replay-section.js';
import { goal, type Row, type SectionResult } from './report.js';
import { ensureRotation, type RotatedCapture } from './split-capture.js';
import { LOCAL_ADDRESSES } from './traffic-model.js';

/** Issue 16's goal: a set of rotated files replays at the per-frame speed of one file, within this factor. */
const GOAL_RATIO = 1.05;

/**
 * Rotated captures (issue 16): the bench capture cut into files of 100 k frames, replayed as a directory and
 * as a list of files, against the same frames in one file; whole process, alternating runs. The window
 * lines of every form must be the same, since the set is meant to be one stream.
 */
export async function rotationSection(o: BenchOptions, capture: GeneratedCapture, log: (line: string) => void): Promise<SectionResult> {
  const set = ensureRotation(capture, o.rotationFiles, log);
  // One-second windows (the capture runs at 60 k frames/s, so a file of 100 k spans ~1.7 s): every file holds
  // window edges and every file edge falls inside a window, so the comparison sees each seam.
  const flags = ['-json', '-verbose', '0', '-timeFrame', '1s', '-localAddresses', LOCAL_ADDRESSES];
  // The one-file run goes first in the warm-up round, so every set run's windows are compared with its.
  const windows = new Map<string, string[]>();
  const checked = (name: string) => (r: CommandResult): void => {
    checkPengTotals(r, capture);
    const lines = windowLines(r);
    const reference = windows.get(ONE_FILE);
    if (reference !== undefined) sameWindows(name, lines, reference);
    windows.set(name, lines);
  };
  const contenders: Contender[] = [
    { name: ONE_FILE, argv: [process.execPath, o.pengBin, 'replay', capture.pcap, ...flags], check: checked(ONE_FILE) },
    { name: DIRECTORY, argv: [process.execPath, o.pengBin, 'replay', set.dir, ...flags], check: checked(DIRECTORY) },
    { name: FILE_LIST, argv: [process.execPath, o.pengBin, 'replay', ...set.paths, ...flags], check: checked(FILE_LIST) },
  ];
  log(`rotation: ${set.frames} frames as ${set.files} files of ${set.framesPerFile} against one file, ${o.runs} runs each`);
  const t = await alternate(contenders, o.runs, log);
  if (windows.size !== contenders.length) throw new Error(`rotation: only ${[...windows.keys()].join(', ')} had their windows checked`);

  const [one, dir, list] = t as [ContenderTimings, ContenderTimings, ContenderTimings];
  const rows: Row[] = t.map((x, i) => row(x, i === 0 ? 1 : set.files, set.frames, one));
  const windowCount = windows.get(ONE_FILE)!.length;
  return {
    id: 'rotation',
    title: `Rotated captures: ${set.frames} frames as ${set.files} files of ${set.framesPerFile} frames against one file (median of ${o.runs} alternating runs; whole process, start-up included)`,
    rows,
    goals: [
      goal(
        'rotated set (directory) vs one file, per frame (wall)',
        `<= ${GOAL_RATIO}x`,
        `${times(dir.wallMs, one.wallMs)} (cpu ${times(dir.cpuMs, one.cpuMs)}; file list ${times(list.wallMs, one.wallMs)})`,
        dir.wallMs <= one.wallMs * GOAL_RATIO,
      ),
      goal('rotated set: same windows as one file', 'identical', `${windowCount} one-second windows identical (directory and file list)`, true),
    ],
    notes: [
      `the files are named so that name order is the reverse of time order: Peng orders them by their first frame.`,
      `one-second windows (-timeFrame 1s) so file edges fall inside windows; window lines compared as JSON without "interface", which names the first path given.`,
      `${(set.bytes / 2 ** 20).toFixed(0)} MiB in ${set.files} files; ratio columns: each median divided by the one-file median of the same run.`,
    ],
    data: { files: set.files, framesPerFile: set.framesPerFile, frames: set.frames, bytes: set.bytes, windows: windowCount, timings: t } satisfies RotationData,
  };
}

const ONE_FILE = 'peng replay FILE (one file)';
const DIRECTORY = 'peng replay DIR (rotated set)';
const FILE_LIST = 'peng replay FILE... (rotated set)';

interface RotationData extends Omit<RotatedCapture, 'dir' | 'paths'> {
  windows: number;
  timings: ContenderTimings[];
}

/** A ratio as "1.00x": two decimals always, since these sit near 1. */
const times = (x: number, base: number): string => `${ratio(x, base).toFixed(2)}x`;

function row(t: ContenderTimings, files: number, frames: number, base: ContenderTimings): Row {
  return {
    contender: t.name,
    files,
    'wall ms': Math.round(t.wallMs),
    'cpu ms': Math.round(t.cpuMs),
    'max RSS MiB': Math.round(t.maxRssKiB / 1024),
    'wall ns/frame': Math.round((t.wallMs * 1e6) / frames),
    'cpu ns/frame': Math.round((t.cpuMs * 1e6) / frames),
    'wall x one file': ratio(t.wallMs, base.wallMs),
    'cpu x one file': ratio(t.cpuMs, base.cpuMs),
  };
}

/** Each window's JSON line without `interface` (the first path's base name, which differs by form). */
function windowLines(r: CommandResult): string[] {
  return r.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const window = JSON.parse(line) as Record<string, unknown>;
      delete window.interface;
      return JSON.stringify(window);
    });
}

/** Throws, naming the first window that differs, when a set's windows are not the one file's. */
function sameWindows(name: string, lines: readonly string[], reference: readonly string[]): void {
  const n = Math.max(lines.length, reference.length);
  for (let i = 0; i < n; i++) {
    if (lines[i] === reference[i]) continue;
    const brief = (line: string | undefined): string => (line === undefined ? '(none)' : line.slice(0, 300));
    throw new Error(
      `rotation: ${name} reported ${lines.length} windows, one file ${reference.length}; window ${i} differs:\n  set:  ${brief(lines[i])}\n  file: ${brief(reference[i])}`,
    );
  }
}
