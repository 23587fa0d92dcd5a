import type { GeneratedCapture } from './generate-capture.js';
import { ratio, timeCommand } from './measure.js';
import { benchScript, type BenchOptions } from './options.js';
import { goal, type Goal, type Row, type SectionResult } from './report.js';

interface MemorySample {
  frames: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
}

interface MemoryFigures {
  stateBytesPerDirection: number;
  jsonBytes: number;
  /** Garbage collections during the replay, and their total pause. */
  gcs: number;
  gcMs: number;
  samples: MemorySample[];
}

const MiB = 2 ** 20;
const STATE_LIMIT_BYTES = 1024;
const RSS_GROWTH_LIMIT = 0.05;

/** Section 4 (replay half): detector state, and RSS and heap after start-up, 1 M and 10 M frames. */
export async function memorySection(_o: BenchOptions, capture: GeneratedCapture, log: (line: string) => void): Promise<SectionResult> {
  log('memory: replay with samples every 1 M frames');
  const result = await timeCommand([process.execPath, benchScript('memory-probe.js'), capture.pcap], { captureStdout: true, timeoutMs: 300_000 });
  const m = JSON.parse(result.stdout) as MemoryFigures;
  const at = (frames: number): MemorySample | undefined => m.samples.find((s) => s.frames === frames);
  const first = at(1_000_000);
  const last = m.samples.at(-1)!;
  const shown = m.samples.filter((s, i) => i === 0 || s.frames === 1_000_000 || s.frames % 5_000_000 === 0 || s === last);
  const rows: Row[] = shown.map((s) => ({
    point: s.frames === 0 ? 'after start-up' : `after ${(s.frames / 1e6).toFixed(s.frames % 1e6 === 0 ? 0 : 2)} M frames`,
    'RSS MiB': Math.round((s.rssBytes / MiB) * 10) / 10,
    'heap used MiB': Math.round((s.heapUsedBytes / MiB) * 10) / 10,
    'heap total MiB': Math.round((s.heapTotalBytes / MiB) * 10) / 10,
    'external MiB': Math.round((s.externalBytes / MiB) * 10) / 10,
    'RSS x 1 M': first ? ratio(s.rssBytes, first.rssBytes) : 'n/a',
  }));
  const perMillion = m.gcs / (last.frames / 1e6);
  const goals: Goal[] = [
    goal('detector state per direction at defaults (16x1024)', `<= ${STATE_LIMIT_BYTES} B`, `${m.stateBytesPerDirection} B`, m.stateBytesPerDirection <= STATE_LIMIT_BYTES),
    // Anything allocated per frame (even one boxed number) costs several scavenges per million frames.
    goal(
      'no allocation per frame through the real reader (GCs during replay)',
      '< 1 GC per million frames',
      `${m.gcs} GCs (${m.gcMs.toFixed(1)} ms) over ${(last.frames / 1e6).toFixed(1)} M frames`,
      perMillion < 1,
    ),
  ];
  if (first && last.frames >= 10_000_000) {
    const growth = last.rssBytes / first.rssBytes - 1;
    goals.push(goal('replay RSS growth from 1 M to 10 M frames', '<= 5 %', `${(growth * 100).toFixed(1)} %`, growth <= RSS_GROWTH_LIMIT));
  }
  return {
    id: 'memory',
    title: `Memory during replay (real reader and detector, JSON serialised per window; ${last.frames} frames)`,
    rows,
    goals,
    notes: [`state: two bitmaps of ${m.stateBytesPerDirection} B (client and server); everything else is Node itself and the 1 MiB read buffer.`],
    data: m,
  };
}
