import { spawnSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { attributionSection } from './attribution-section.js';
import { engineSection, scalingSection } from './engine-section.js';
import { ensureCapture, type GeneratedCapture } from './generate-capture.js';
import { liveSection } from './live-section.js';
import { memorySection } from './memory-section.js';
import { readOptions, type BenchOptions, type SectionId } from './options.js';
import { replaySection } from './replay-section.js';
import { rotationSection } from './rotation-section.js';
import { render, type BenchRecord, type MachineInfo, type SectionResult } from './report.js';
import { isComplete, writeResults } from './results-files.js';
import { startupSection } from './startup-section.js';

/**
 * `npm run bench`: every section of issue 7 in one bounded run, each figure next to a baseline measured
 * in the same run. Prints the tables on stdout (progress on stderr); a complete run writes
 * bench/results/latest.json and regenerates BENCHMARKS.md from it (results-files.ts).
 * BENCH_QUICK=1 for a light run while developing; see options.ts for the other knobs.
 */

const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

async function runSection(id: SectionId, o: BenchOptions, capture: () => Promise<GeneratedCapture>, earlier: readonly SectionResult[]): Promise<SectionResult> {
  switch (id) {
    case 'replay':
      return replaySection(o, await capture(), log);
    case 'rotation':
      return rotationSection(o, await capture(), log);
    case 'startup':
      return startupSection(o, log);
    case 'engine':
      return engineSection(o, await capture(), log);
    case 'scaling':
      return scalingSection(o, await capture(), log);
    case 'memory':
      return memorySection(o, await capture(), log);
    case 'attribution':
      return attributionSection(o, await capture(), log);
    case 'live':
      // The engine's per-SYN cost, when measured, splits live CPU into Peng's work and cap's.
      return liveSection(o, log, (earlier.find((r) => r.id === 'engine')?.data as { perSynNs?: number } | undefined)?.perSynNs);
  }
}

function machine(): MachineInfo {
  const cpu = cpus();
  return {
    nproc: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: release(),
    loadAverageAtStart: loadavg()[0]!.toFixed(2),
    tcpdump: tcpdumpVersion(),
  };
}

function tcpdumpVersion(): string {
  const result = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
  return (result.stdout || result.stderr || 'unknown').split('\n')[0]!.trim();
}

async function main(): Promise<number> {
  const o = readOptions();
  const started = Date.now();
  const info = machine();
  log(`${o.quick ? 'quick' : 'full'} run: sections ${o.sections.join(', ')}; ${info.nproc} x ${info.cpuModel}, node ${info.node}, load ${info.loadAverageAtStart}`);
  // Made on first use: the start-up and live sections need no capture.
  const made: { capture: Promise<GeneratedCapture> | null } = { capture: null };
  const capture = (): Promise<GeneratedCapture> => (made.capture ??= ensureCapture({ frames: o.frames, seed: o.seed, snaplen: o.snaplen }, log));
  const results: SectionResult[] = [];
  let failed = 0;
  for (const id of o.sections) {
    const sectionStart = Date.now();
    try {
      results.push(await runSection(id, o, capture, results));
    } catch (error) {
      failed++;
      const message = error instanceof Error ? error.message : String(error);
      log(`${id} failed: ${message}`);
      results.push({ id, title: `${id}: FAILED`, rows: [], goals: [], notes: [message] });
    }
    log(`${id} took ${((Date.now() - sectionStart) / 1000).toFixed(0)} s`);
  }
  const elapsedSeconds = Math.round((Date.now() - started) / 1000);
  const date = new Date();
  process.stdout.write(render(results, info, elapsedSeconds, date));
  const capt = made.capture === null ? null : await made.capture.catch(() => null);
  const record: BenchRecord = {
    date: date.toISOString(),
    quick: o.quick,
    complete: failed === 0 && isComplete(o, results),
    elapsedSeconds,
    machine: info,
    capture: capt === null ? null : { params: capt.params, frames: capt.frames, synFrames: capt.synFrames, pcapBytes: capt.pcapBytes, spanSeconds: capt.spanSeconds },
    options: { frames: o.frames, seed: o.seed, snaplen: o.snaplen, runs: o.runs },
    sections: results,
  };
  if (!writeResults(record, o, log)) failed++;
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();
