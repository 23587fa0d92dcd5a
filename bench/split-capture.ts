import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, rmSync, mkdirSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCapture, type GeneratedCapture } from './generate-capture.js';

/**
 * The benchmark capture cut into rotated files of equal frame counts, as `tcpdump -G`/`-C` would leave them,
 * cached next to it in bench/cache/ (a directory whose name encodes the capture and the file count, with a
 * JSON description beside it, written last). Cut by frame count in JS: `tcpdump -C` cuts by size only.
 */

/** Bump when the layout or the naming of the files changes, so stale cuts are not reused. */
export const SPLIT_VERSION = 1;
const CHUNK_BYTES = 16 << 20;
const PCAP_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;

export interface RotatedCapture {
  /** Directory holding the files and nothing else. */
  dir: string;
  /** The files in name order (what a shell glob passes), which is not their time order. */
  paths: string[];
  files: number;
  /** Frames per file; the last file also takes the remainder. */
  framesPerFile: number;
  frames: number;
  bytes: number;
}

interface SplitMeta {
  files: number;
  framesPerFile: number;
  frames: number;
  bytes: number;
  /** File names in name order. */
  names: string[];
}

/** Returns the cached cut of `capture` into `files` files, cutting it first when missing. */
export function ensureRotation(capture: GeneratedCapture, files: number, log: (line: string) => void = () => {}): RotatedCapture {
  if (!Number.isInteger(files) || files < 2 || files > capture.frames) throw new Error(`cannot cut ${capture.frames} frames into ${files} files`);
  const dir = `${capture.pcap.replace(/\.pcap$/, '')}-rot${files}-v${SPLIT_VERSION}`;
  const metaPath = `${dir}.json`;
  const meta = existsSync(metaPath) && existsSync(dir) ? (JSON.parse(readFileSync(metaPath, 'utf8')) as SplitMeta) : split(capture, files, dir, metaPath, log);
  return { dir, paths: meta.names.map((n) => join(dir, n)), files: meta.files, framesPerFile: meta.framesPerFile, frames: meta.frames, bytes: meta.bytes };
}

/**
 * Part k in time order is named `rot-(files-1-k).pcap`: name order is the reverse of time order, so a
 * replay that ordered by name instead of by first frame would give different windows (and fail the check).
 */
function partName(k: number, files: number): string {
  return `rot-${String(files - 1 - k).padStart(String(files - 1).length, '0')}.pcap`;
}

function split(capture: GeneratedCapture, files: number, dir: string, metaPath: string, log: (line: string) => void): SplitMeta {
  const started = Date.now();
  const framesPerFile = Math.floor(capture.frames / files);
  log(`cutting ${basename(capture.pcap)} into ${files} files of ${framesPerFile} frames in ${dir}`);
  const temp = `${dir}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(temp, { recursive: true });
  const src = openSync(capture.pcap, 'r');
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let out = -1;
  let bytes = 0;
  let frames = 0;
  try {
    const header = Buffer.allocUnsafe(PCAP_HEADER_BYTES);
    if (readSync(src, header, 0, PCAP_HEADER_BYTES, 0) !== PCAP_HEADER_BYTES || header.readUInt32LE(0) !== 0xa1b2c3d4) {
      throw new Error(`${capture.pcap}: not the generator's little-endian microsecond pcap`);
    }
    let part = -1;
    let offset = PCAP_HEADER_BYTES;
    let filled = 0;
    const write = (from: number, to: number): void => {
      let done = from;
      while (done < to) done += writeSync(out, buf, done, to - done);
      bytes += to - from;
    };
    const nextPart = (): void => {
      if (out >= 0) closeSync(out);
      part++;
      out = openSync(join(temp, partName(part, files)), 'w');
      writeSync(out, header);
      bytes += PCAP_HEADER_BYTES;
    };
    nextPart();
    for (;;) {
      const n = readSync(src, buf, filled, CHUNK_BYTES - filled, offset);
      if (n === 0) break;
      offset += n;
      filled += n;
      let pos = 0;
      let runStart = 0;
      while (pos + RECORD_HEADER_BYTES <= filled) {
        const next = pos + RECORD_HEADER_BYTES + buf.readUInt32LE(pos + 8);
        if (next > filled) break;
        // Every file but the last holds exactly framesPerFile frames.
        if (frames === (part + 1) * framesPerFile && part < files - 1) {
          write(runStart, pos);
          runStart = pos;
          nextPart();
        }
        frames++;
        pos = next;
      }
      write(runStart, pos);
      buf.copy(buf, 0, pos, filled);
      filled -= pos;
    }
    if (filled !== 0 || frames !== capture.frames || part !== files - 1) {
      throw new Error(`${capture.pcap}: cut ${frames} frames into ${part + 1} files with ${filled} bytes left over; expected ${capture.frames} frames, ${files} files`);
    }
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  } finally {
    closeSync(src);
    if (out >= 0) closeSync(out);
  }
  renameSync(temp, dir);
  const names = Array.from({ length: files }, (_, k) => partName(k, files)).sort();
  const meta: SplitMeta = { files, framesPerFile, frames, bytes, names };
  writeFileSync(metaPath, JSON.stringify(meta, null, 2) + '\n');
  log(`cut ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${(bytes / 2 ** 20).toFixed(0)} MiB in ${files} files`);
  return meta;
}

/** `node dist/bench/split-capture.js [frames] [files]` makes (or finds) the cut of the bench capture and prints it. */
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [frames = '10000000', files = '100'] = process.argv.slice(2);
  const log = (line: string): void => void process.stderr.write(line + '\n');
  const capture = await ensureCapture({ frames: Number(frames), seed: 7, snaplen: 128 }, log);
  process.stdout.write(JSON.stringify(ensureRotation(capture, Number(files), log), null, 2) + '\n');
}
