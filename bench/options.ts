import { join } from 'node:path';
import { buildRoot, pengBin, repoRoot } from '../support/paths.js';

/** Benchmark settings from the environment; BENCH_QUICK=1 is the light mode for development. */
export interface BenchOptions {
  quick: boolean;
  /** Frames in the generated capture (BENCH_FRAMES; 10 M, or 500 k quick). */
  frames: number;
  seed: number;
  snaplen: number;
  /** Timed runs per contender (BENCH_RUNS; 5, or 3 quick). */
  runs: number;
  /** Sections to run (BENCH_SECTIONS=replay,startup,...; all by default). */
  sections: readonly SectionId[];
  /** Run the live section (needs root); BENCH_LIVE=0 skips it. */
  live: boolean;
  /** Where the JSON goes (BENCH_OUT; bench/results/latest.json, quick runs bench/cache/quick.json). */
  out: string | null;
  pengBin: string;
  buildRoot: string;
}

export const SECTION_IDS = ['replay', 'startup', 'engine', 'scaling', 'memory', 'live'] as const;
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
  return {
    quick,
    frames: int(env, 'BENCH_FRAMES', quick ? 500_000 : 10_000_000, 1000),
    seed: int(env, 'BENCH_SEED', 7, 1),
    snaplen: int(env, 'BENCH_SNAPLEN', 128, 96),
    runs: int(env, 'BENCH_RUNS', quick ? 3 : 5, 1),
    sections: sections as SectionId[],
    live: env.BENCH_LIVE !== '0',
    // Quick runs go to the git-ignored cache, so only a full run replaces the committed figures.
    out: env.BENCH_OUT === '' ? null : (env.BENCH_OUT ?? join(repoRoot, 'bench', quick ? 'cache' : 'results', quick ? 'quick.json' : 'latest.json')),
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
