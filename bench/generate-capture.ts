import { once } from 'node:events';
import { closeSync, createWriteStream, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { pcapFile } from '../support/capture-writers.js';
import { repoRoot } from '../support/paths.js';
import { START_MICROS, TrafficModel } from './traffic-model.js';

/**
 * The benchmark's capture: a seeded, deterministic pcap of mixed traffic (see traffic-model.ts), written
 * in large chunks and cached in bench/cache/ under a name that encodes every parameter, with a gzip copy.
 */

/** Bump when the traffic model or the file layout changes, so stale caches are not reused. */
export const GENERATOR_VERSION = 2;
const CHUNK_BYTES = 16 << 20;
const LINKTYPE_ETHERNET = 1;

export interface CaptureParams {
  frames: number;
  seed: number;
  /** Snapshot length: bytes kept of each frame (headers plus the start of the payload). */
  snaplen: number;
}

export interface GeneratedCapture {
  params: CaptureParams;
  pcap: string;
  gzip: string;
  frames: number;
  /** Connection-opening SYNs in the file, as the generator wrote them. */
  synFrames: number;
  pcapBytes: number;
  /** Capture time span in seconds. */
  spanSeconds: number;
}

export const cacheDir: string = join(repoRoot, 'bench', 'cache');

/** Returns the cached capture for `params` in `dir`, generating (and compressing) it first when missing. */
export async function ensureCapture(params: CaptureParams, log: (line: string) => void = () => {}, dir: string = cacheDir): Promise<GeneratedCapture> {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `mixed-f${params.frames}-s${params.seed}-l${params.snaplen}-g${GENERATOR_VERSION}`);
  const meta = `${base}.json`;
  const capture: GeneratedCapture = existsSync(meta) && existsSync(`${base}.pcap`) && existsSync(`${base}.pcap.gz`)
    ? (JSON.parse(readFileSync(meta, 'utf8')) as GeneratedCapture)
    : await generate(params, base, log);
  // Paths are recomputed: the cache may have been made from another checkout.
  return { ...capture, pcap: `${base}.pcap`, gzip: `${base}.pcap.gz` };
}

async function generate(params: CaptureParams, base: string, log: (line: string) => void): Promise<GeneratedCapture> {
  const started = Date.now();
  log(`generating ${params.frames} frames (seed ${params.seed}, snaplen ${params.snaplen}) into ${base}.pcap and .pcap.gz`);
  const temp = `${base}.pcap.tmp-${process.pid}`;
  const gzTemp = `${base}.pcap.gz.tmp-${process.pid}`;
  const fd = openSync(temp, 'w');
  // Compression runs on libuv's thread pool while this thread makes the next chunk: two cores, both busy.
  const gzip = createGzip({ level: 6 });
  const gzipDone = pipeline(gzip, createWriteStream(gzTemp));
  let written = 0;
  let model: TrafficModel;
  const flush = async (chunk: Buffer, length: number): Promise<void> => {
    written += writeAll(fd, chunk, length);
    if (!gzip.write(Buffer.from(chunk.subarray(0, length)))) await once(gzip, 'drain');
  };
  try {
    model = new TrafficModel(params.seed, params.frames, params.snaplen);
    const out = Buffer.allocUnsafe(CHUNK_BYTES);
    let pos = pcapFile(LINKTYPE_ETHERNET, [], { snaplen: params.snaplen }).copy(out, 0);
    const frame = model.writer.frame;
    for (let i = 0; i < params.frames; i++) {
      model.next();
      const w = model.writer;
      const micros = model.timeMicros;
      const seconds = Math.floor(micros / 1e6);
      out.writeUInt32LE(seconds, pos);
      out.writeUInt32LE(micros - seconds * 1e6, pos + 4);
      out.writeUInt32LE(w.captured, pos + 8);
      out.writeUInt32LE(w.wireLength, pos + 12);
      out.set(frame.subarray(0, w.captured), pos + 16);
      pos += 16 + w.captured;
      if (pos > CHUNK_BYTES - 4096) {
        await flush(out, pos);
        pos = 0;
      }
    }
    await flush(out, pos);
    gzip.end();
    await gzipDone;
  } catch (error) {
    gzip.destroy();
    await gzipDone.catch(() => {});
    rmSync(temp, { force: true });
    rmSync(gzTemp, { force: true });
    throw error;
  } finally {
    closeSync(fd);
  }
  renameSync(temp, `${base}.pcap`);
  renameSync(gzTemp, `${base}.pcap.gz`);
  const capture: GeneratedCapture = {
    params,
    pcap: `${base}.pcap`,
    gzip: `${base}.pcap.gz`,
    frames: params.frames,
    synFrames: model.synFrames,
    pcapBytes: written,
    spanSeconds: (model.timeMicros - START_MICROS) / 1e6,
  };
  writeFileSync(`${base}.json`, JSON.stringify(capture, null, 2) + '\n');
  log(`capture ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${(written / 2 ** 20).toFixed(0)} MiB, ${capture.synFrames} SYNs over ${capture.spanSeconds.toFixed(0)} s`);
  return capture;
}

/** An empty capture (global header only), for start-up time. */
export function ensureEmptyCapture(): string {
  mkdirSync(cacheDir, { recursive: true });
  const path = join(cacheDir, 'empty.pcap');
  if (!existsSync(path)) writeFileSync(path, pcapFile(LINKTYPE_ETHERNET, []));
  return path;
}

function writeAll(fd: number, buf: Buffer, length: number): number {
  let done = 0;
  while (done < length) done += writeSync(fd, buf, done, length - done);
  return done;
}

/** `node dist/bench/generate-capture.js [frames] [seed] [snaplen]` makes (or finds) a capture and prints its path. */
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [frames = '10000000', seed = '7', snaplen = '128'] = process.argv.slice(2);
  const capture = await ensureCapture({ frames: Number(frames), seed: Number(seed), snaplen: Number(snaplen) }, (line) => process.stderr.write(line + '\n'));
  process.stdout.write(JSON.stringify(capture, null, 2) + '\n');
}
