import { join } from 'node:path';
import { buildRoot, pengBin } from '../support/paths.js';

/** Benchmark settings from the environment; BENCH_QUICK=1 is the light mode for development. */
export interface BenchOptions {
  quick: boolean;
  /** Frames in the generated capture (BENCH_FRAMES; 10 M, or 500 k quick). */
  frames: number;
  seed: number;
  snaplen: number;
  /** Timed runs per contender (BENCH_RUNS; 5, or 3 quick). */
  runs: number;
  /** Files the rotation section cuts the capture into (BENCH_ROTATION_FILES; one per 100 k frames, at least 2). */
  rotationFiles: number;
  /** Sections to run (BENCH_SECTIONS=replay,startup,...; all by default). */
  sections: readonly SectionId[];
  /** Run the live section (needs root); BENCH_LIVE=0 skips it. */
  live: boolean;
  /**
   * Where the JSON goes (BENCH_OUT; empty: nowhere). Unset: decided after the run, since only a complete run
   * replaces bench/results/latest.json and BENCHMARKS.md; others go to bench/cache/ (see results-files.ts).
   */
  out: string | null | undefined;
  /** Also render BENCHMARKS.md from this run into this file (BENCH_DOC), whatever kind of run it is. */
  doc: string | null;
  pengBin: string;
  buildRoot: string;
}

/** The settings of a full run: the committed figures are measured with exactly these. */
export const REFERENCE = { frames: 10_000_000, seed: 7, snaplen: 128, runs: 5, rotationFrames: 100_000 } as const;

export const SECTION_IDS = ['replay', 'rotation', 'startup', 'engine', 'scaling', 'memory', 'attribution', 'live'] as const;
export type SectionId = (typeof SECTION_IDS)[number];

export function readOptions(env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const sections = (env.BENCH_SECTIONS ?? SECTION_IDS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const s of sections) {
    if (!(SECTION_IDS as readonly string[]).includes(s)) throw new Error(`BENCH_SECTIONS: unknown section "${s}"; known: ${SECTION_IDS.join(', ')}`);
  }
  const frames = int(env, 'BENCH_FRAMES', quick ? 500_000 : REFERENCE.frames, 1000);
  return {
    quick,
    frames,
    seed: int(env, 'BENCH_SEED', REFERENCE.seed, 1),
    snaplen: int(env, 'BENCH_SNAPLEN', REFERENCE.snaplen, 96),
    runs: int(env, 'BENCH_RUNS', quick ? 3 : REFERENCE.runs, 1),
    // Issue 16's figure is 100 files of 100 k frames: smaller captures keep the file size, not the count.
    rotationFiles: int(env, 'BENCH_ROTATION_FILES', Math.max(2, Math.round(frames / REFERENCE.rotationFrames)), 2),
    sections: sections as SectionId[],
    live: env.BENCH_LIVE !== '0',
    out: env.BENCH_OUT === '' ? null : env.BENCH_OUT,
    doc: env.BENCH_DOC === undefined || env.BENCH_DOC === '' ? null : env.BENCH_DOC,
    pengBin,
    buildRoot,
  };
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got "${text}"`);
  return value;
}

/** Where a compiled bench script lives, next to this one. */
export function benchScript(name: string): string {
  return join(buildRoot, 'bench', name);
}
