import type { GeneratedCapture } from './generate-capture.js';
import { ratio, timeCommand } from './measure.js';
import { benchScript, type BenchOptions } from './options.js';
import { goal, type Row, type SectionResult } from './report.js';

interface CloseCost {
  summaryNs: number;
  clearNs: number;
  entropyNs: number;
}

interface Allocation {
  frames: number;
  gcs: number;
  heapDeltaBytes: number;
  bytesPerFrame: number;
}

interface EngineFigures {
  sampleFrames: number;
  sampleSyns: number;
  shapes: Array<{ bins: number; size: number; stateBytes: number; addPortNs: number } & CloseCost>;
  perFrameNs: number;
  perSynNs: number;
  perFrameReplayNs: number;
  emptyWindowCloseNs: number;
  allocationMixed: Allocation;
  allocationSyn: Allocation;
  allocationReplay: Allocation;
}

interface ScalingFigures {
  sampleFrames: number;
  rows: Array<{ size: number; bins: number; stateBytes: number; perFrameNs: number } & CloseCost>;
}

async function probe<T>(mode: string, file: string): Promise<T> {
  const result = await timeCommand([process.execPath, benchScript('engine-probe.js'), mode, file], { captureStdout: true, timeoutMs: 300_000 });
  return JSON.parse(result.stdout) as T;
}

const round = (ns: number): number => Math.round(ns * 10) / 10;

/** Section 2: the engine's costs per operation, and proof that the per-packet path allocates nothing. */
export async function engineSection(_o: BenchOptions, capture: GeneratedCapture, log: (line: string) => void): Promise<SectionResult> {
  log('engine: in-process loops (CPU time)');
  const e = await probe<EngineFigures>('engine', capture.pcap);
  const baseAdd = e.shapes[0]!.addPortNs;
  const baseClose = e.shapes[0]!.summaryNs + e.shapes[0]!.clearNs;
  const rows: Row[] = e.shapes.map((s) => ({
    operation: `PortBitmap ${s.bins}x${s.size}: addPort`,
    ns: round(s.addPortNs),
    'x 16x1024': ratio(s.addPortNs, baseAdd),
  }));
  for (const s of e.shapes) {
    rows.push({ operation: `PortBitmap ${s.bins}x${s.size}: window close (summary + clear)`, ns: round(s.summaryNs + s.clearNs), 'x 16x1024': ratio(s.summaryNs + s.clearNs, baseClose) });
  }
  rows.push(
    { operation: 'Detector 16x1024: per frame, mixed traffic (decode + classify)', ns: round(e.perFrameNs), 'x 16x1024': ratio(e.perFrameNs, baseAdd) },
    { operation: 'Detector 16x1024: per SYN frame (what live capture feeds it)', ns: round(e.perSynNs), 'x 16x1024': ratio(e.perSynNs, baseAdd) },
    { operation: 'Detector 16x1024: per frame with timestamp (replay path, onFrame)', ns: round(e.perFrameReplayNs), 'x 16x1024': ratio(e.perFrameReplayNs, baseAdd) },
    { operation: 'Detector 16x1024: closeWindow with report (empty window)', ns: round(e.emptyWindowCloseNs), 'x 16x1024': ratio(e.emptyWindowCloseNs, baseClose) },
  );
  // A per-packet allocation is at least one 16-byte object per frame: 160 MB and many GCs over 10 M frames.
  const allocationOk = (a: Allocation): boolean => a.gcs === 0 && a.bytesPerFrame < 1;
  const describe = (a: Allocation): string => `${a.gcs} GCs, heap ${a.heapDeltaBytes >= 0 ? '+' : ''}${a.heapDeltaBytes} B over ${a.frames / 1e6} M frames`;
  return {
    id: 'engine',
    title: `Engine (CPU ns per operation, median of 5; sample: first ${e.sampleFrames} frames, ${e.sampleSyns} SYNs)`,
    rows,
    goals: [
      goal('no allocation per packet: mixed frames through Detector.addFrame', '0 GCs, heap flat', describe(e.allocationMixed), allocationOk(e.allocationMixed)),
      goal('no allocation per packet: SYN frames through Detector.addFrame', '0 GCs, heap flat', describe(e.allocationSyn), allocationOk(e.allocationSyn)),
      goal('no allocation per packet: replay path, Detector.onFrame with timestamps', '0 GCs, heap flat', describe(e.allocationReplay), allocationOk(e.allocationReplay)),
    ],
    notes: ['ratio column: against addPort (per-packet rows) or window close (close rows) at the default 16x1024.'],
    data: e,
  };
}

/** Section 5: how per-frame cost and window-close time grow with bitmap size and bin count. */
export async function scalingSection(_o: BenchOptions, capture: GeneratedCapture, log: (line: string) => void): Promise<SectionResult> {
  log('scaling: size x bin');
  const s = await probe<ScalingFigures>('scaling', capture.pcap);
  const base = s.rows.find((r) => r.size === 1024 && r.bins === 16)!;
  const baseClose = base.summaryNs + base.clearNs;
  return {
    id: 'scaling',
    title: `Scaling over size and bin (CPU ns, median of 5; ${s.sampleFrames} frames of mixed traffic)`,
    rows: s.rows.map((r) => ({
      size: r.size,
      bin: r.bins,
      'state B/direction': r.stateBytes,
      'ns/frame': round(r.perFrameNs),
      'frame x 16x1024': ratio(r.perFrameNs, base.perFrameNs),
      'close ns (summary+clear)': Math.round(r.summaryNs + r.clearNs),
      'close x 16x1024': ratio(r.summaryNs + r.clearNs, baseClose),
    })),
    goals: [],
    notes: ['per-frame cost does not depend on the shape (one hash, one bit); window close grows with size (popcount over the words) and with bin (one log2 per bin).'],
    data: s,
  };
}
