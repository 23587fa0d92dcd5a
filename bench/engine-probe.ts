import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { Detector } from '../src/detector/detector.js';
import { PacketTimeWindows } from '../src/windows/packet-time-windows.js';
import { LocalAddresses } from '../src/net/local-addresses.js';
import { PortBitmap } from '../src/engine/index.js';
import { decodeSyn } from '../src/packets/decode-syn.js';
import { createSynRecord, DecodeResult } from '../src/packets/syn-record.js';
import { Xorshift32 } from '../support/xorshift.js';
import { filterSample, loadFrameSample, type FrameSample } from './frame-sample.js';
import { median } from './measure.js';
import { LOCAL_ADDRESSES } from './traffic-model.js';

/**
 * In-process engine figures, run as a child of the bench so its heap and JIT state are its own:
 *   node engine-probe.js engine FILE   ns per addPort / window close, per-frame detector cost, allocation check
 *   node engine-probe.js scaling FILE  the same costs over bitmap size and bin count
 * Times are CPU time of this process (process.cpuUsage), which a shared machine's other load does not inflate.
 * Prints one JSON object.
 */

const SAMPLE_FRAMES = 300_000;
const REPEATS = 5;
const local = LocalAddresses.parse(LOCAL_ADDRESSES.split(','));
const ports = new Uint16Array(1 << 16);
{
  const rng = new Xorshift32(42);
  for (let i = 0; i < ports.length; i++) ports[i] = rng.nextU32() & 0xffff;
}

/** CPU nanoseconds per operation of `body(n)` (which performs n operations), median of REPEATS. */
function nsPerOp(n: number, body: (n: number) => void): number {
  body(Math.min(n, 100_000)); // warm-up: let the JIT optimise before timing
  const samples: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const start = process.cpuUsage();
    body(n);
    const used = process.cpuUsage(start);
    samples.push(((used.user + used.system) * 1000) / n);
  }
  return median(samples);
}

function addPorts(bitmap: PortBitmap, n: number): void {
  for (let i = 0; i < n; i++) bitmap.addPort(ports[i & 0xffff]!);
}

/** A bitmap with about half its bits set, so every bin's entropy takes the log2 path. */
function halfFull(bins: number, size: number): PortBitmap {
  const b = new PortBitmap({ bins, size });
  const rng = new Xorshift32(size + bins);
  for (let i = 0; i < size; i++) if (rng.chance(0.5)) b.addPort(i * bins);
  return b;
}

function newDetector(bins: number, size: number): Detector {
  return new Detector({ bins, size, interfaceName: 'bench', localAddresses: local, onReport: () => {} });
}

/** Runs `n` frames of the sample (cycling) through the detector's per-packet path. */
function feed(detector: Detector, sample: FrameSample, n: number): void {
  const { data, offsets, lengths, linkType } = sample;
  const count = sample.count;
  for (let i = 0, j = 0; i < n; i++, j++) {
    if (j === count) j = 0;
    detector.addFrame(data, offsets[j]!, lengths[j]!, linkType, 1_700_000_000);
  }
}

/** The replay path: `n` frames with their timestamps through the packet-time clock, later laps shifted forward in time. */
function feedReplay(windows: PacketTimeWindows, sample: FrameSample, n: number, state: { lap: number }): void {
  const { data, offsets, lengths, times, linkType } = sample;
  const count = sample.count;
  const span = times[count - 1]! - times[0]! + 1;
  let shift = state.lap * span;
  for (let i = 0, j = 0; i < n; i++, j++) {
    if (j === count) {
      j = 0;
      shift += span;
      state.lap++;
    }
    const t = times[j]! + shift;
    const seconds = Math.floor(t / 1e6);
    windows.onFrame(data, offsets[j]!, lengths[j]!, linkType, seconds, (t - seconds * 1e6) * 1000);
  }
  state.lap++;
}

function closeCost(bins: number, size: number): { summaryNs: number; clearNs: number; entropyNs: number } {
  const b = halfFull(bins, size);
  const loops = Math.max(200, Math.floor(4e6 / size));
  const summaryNs = nsPerOp(loops, (n) => {
    for (let i = 0; i < n; i++) b.summary();
  });
  const entropyNs = nsPerOp(loops, (n) => {
    for (let i = 0; i < n; i++) b.entropy();
  });
  const empty = new PortBitmap({ bins, size });
  const clearNs = nsPerOp(loops * 4, (n) => {
    for (let i = 0; i < n; i++) empty.clear();
  });
  return { summaryNs, clearNs, entropyNs };
}

const isSyn = (() => {
  const record = createSynRecord();
  return (sample: FrameSample) => (data: Buffer, offset: number, length: number) => decodeSyn(data, offset, length, sample.linkType, record) === DecodeResult.Syn;
})();

type Feeder = (detector: Detector, sample: FrameSample, n: number) => void;

/** Heap growth and GC count across `frames` per-packet calls, measured after a warm-up. */
async function allocationCheck(sample: FrameSample, frames: number, feed: Feeder): Promise<{ frames: number; gcs: number; heapDeltaBytes: number; bytesPerFrame: number }> {
  const detector = newDetector(16, 1024);
  feed(detector, sample, 2_000_000);
  let gcs = 0;
  const observer = new PerformanceObserver((list) => (gcs += list.getEntries().length));
  observer.observe({ entryTypes: ['gc'] });
  await new Promise((resolve) => setTimeout(resolve, 20));
  gcs = 0;
  const before = getHeapStatistics().used_heap_size;
  feed(detector, sample, frames);
  const after = getHeapStatistics().used_heap_size;
  await new Promise((resolve) => setTimeout(resolve, 50)); // GC entries are delivered asynchronously
  observer.disconnect();
  const heapDeltaBytes = after - before;
  return { frames, gcs, heapDeltaBytes, bytesPerFrame: heapDeltaBytes / frames };
}

async function engine(file: string): Promise<unknown> {
  const sample = loadFrameSample(file, SAMPLE_FRAMES);
  const syns = filterSample(sample, isSyn(sample));
  const shapes = [
    { bins: 16, size: 1024 },
    { bins: 64, size: 65536 },
  ].map(({ bins, size }) => {
    const b = new PortBitmap({ bins, size });
    return { bins, size, stateBytes: b.stateBytes, addPortNs: nsPerOp(20_000_000, (n) => addPorts(b, n)), ...closeCost(bins, size) };
  });
  const detector = newDetector(16, 1024);
  const perFrameNs = nsPerOp(3_000_000, (n) => feed(detector, sample, n));
  const perSynNs = nsPerOp(3_000_000, (n) => feed(detector, syns, n));
  const replayDetector = newDetector(16, 1024);
  const lap = { lap: 0 };
  const replayWindows = new PacketTimeWindows(replayDetector, 60e6);
  const perFrameReplayNs = nsPerOp(3_000_000, (n) => feedReplay(replayWindows, sample, n, lap));
  const closeDetector = newDetector(16, 1024);
  const windowCloseNs = nsPerOp(20_000, (n) => {
    for (let i = 0; i < n; i++) closeDetector.closeWindow(i, i, false);
  });
  const allocationMixed = await allocationCheck(sample, 10_000_000, feed);
  const allocationSyn = await allocationCheck(syns, 10_000_000, feed);
  const replayLap = { lap: 0 };
  const allocationReplay = await allocationCheck(sample, 10_000_000, (d, s, n) => feedReplay(new PacketTimeWindows(d, 60e6), s, n, replayLap));
  return {
    sampleFrames: sample.count,
    sampleSyns: syns.count,
    shapes,
    perFrameNs,
    perSynNs,
    perFrameReplayNs,
    emptyWindowCloseNs: windowCloseNs,
    allocationMixed,
    allocationSyn,
    allocationReplay,
  };
}

function scaling(file: string): unknown {
  const sample = loadFrameSample(file, SAMPLE_FRAMES);
  const rows = [];
  for (const size of [1024, 4096, 16384, 65536]) {
    for (const bins of [1, 16, 64, 256]) {
      const detector = newDetector(bins, size);
      const perFrameNs = nsPerOp(1_500_000, (n) => feed(detector, sample, n));
      rows.push({ size, bins, stateBytes: detector.client.stateBytes, perFrameNs, ...closeCost(bins, size) });
    }
  }
  return { sampleFrames: sample.count, rows };
}

const [mode, file] = process.argv.slice(2);
if (file === undefined || (mode !== 'engine' && mode !== 'scaling')) {
  process.stderr.write('usage: engine-probe engine|scaling FILE\n');
  process.exit(2);
}
const result = mode === 'engine' ? await engine(file) : scaling(file);
process.stdout.write(JSON.stringify(result) + '\n');
