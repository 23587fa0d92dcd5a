import { PerformanceObserver } from 'node:perf_hooks';
import { Detector } from '../src/detector/detector.js';
import { PacketTimeWindows } from '../src/windows/packet-time-windows.js';
import { LocalAddresses } from '../src/net/local-addresses.js';
import { readCaptureFile } from '../src/sources/capture-file/capture-file.js';
import { LOCAL_ADDRESSES } from './traffic-model.js';

/**
 * Replays a capture through the real reader and detector, with windows serialised as the JSON sink
 * does, and samples process memory after start-up and every million frames.
 * Usage: node memory-probe.js FILE   Prints one JSON object.
 */

interface Sample {
  frames: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
}

const MARK_EVERY = 1_000_000;
const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: memory-probe FILE\n');
  process.exit(2);
}

const samples: Sample[] = [];
const sample = (frames: number): void => {
  const m = process.memoryUsage();
  samples.push({ frames, rssBytes: m.rss, heapUsedBytes: m.heapUsed, heapTotalBytes: m.heapTotal, externalBytes: m.external });
};

let jsonBytes = 0;
const detector = new Detector({
  bins: 16,
  size: 1024,
  interfaceName: file,
  localAddresses: LocalAddresses.parse(LOCAL_ADDRESSES.split(',')),
  onReport: (report) => {
    jsonBytes += JSON.stringify(report).length + 1;
  },
});

const windows = new PacketTimeWindows(detector, 60e6);

// Garbage collections while replaying: a per-frame allocation shows up as scavenges by the dozen per million frames.
let gcs = 0;
let gcMs = 0;
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcs++;
    gcMs += entry.duration;
  }
});
observer.observe({ entryTypes: ['gc'] });
await new Promise((resolve) => setTimeout(resolve, 20));
gcs = 0;
gcMs = 0;

sample(0);
let frames = 0;
let nextMark = MARK_EVERY;
await readCaptureFile(
  file,
  {
    onFrame(data, offset, length, linkType, seconds, nanoseconds) {
      windows.onFrame(data, offset, length, linkType, seconds, nanoseconds);
      if (++frames === nextMark) {
        nextMark += MARK_EVERY;
        sample(frames);
      }
    },
  },
  { progress: false },
);
windows.finish();
if (samples.at(-1)!.frames !== frames) sample(frames);
await new Promise((resolve) => setTimeout(resolve, 50)); // GC entries arrive asynchronously
observer.disconnect();
process.stdout.write(JSON.stringify({ stateBytesPerDirection: detector.client.stateBytes, jsonBytes, gcs, gcMs, samples }) + '\n');
