import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync, constants } from 'node:fs';
import { join } from 'node:path';
import type { FrameConsumer } from '../../packets/frame-consumer.js';
import { CaptureFileError } from './capture-file-error.js';
import { CaptureFileProblems } from './capture-file-problems.js';
import { CaptureFileReader } from './capture-file-reader.js';
import { errorCode, openCaptureInput, unreadable, type CaptureInput } from './capture-input.js';
import { isGzipMagic } from './gzip-header.js';
import { pcapByteOrder } from './pcap-parser.js';
import { BLOCK_SECTION_HEADER } from './pcapng-parser.js';

/** One member of a set of rotated captures, opened (before root is dropped) and not yet read. */
export interface CaptureSetFile {
  readonly path: string;
  readonly input: Extract<CaptureInput, { kind: 'file' }>;
  /** Time of its first frame in µs since the epoch, NaN when its first bytes hold no frame. */
  firstMicros: number;
  /** Its descriptor was closed (or handed to its read, which closes it however it ends). */
  closed: boolean;
}

/** First bytes read to find a member's first frame; a second, larger read covers a maximal first record. */
const PROBE_BYTES = 64 << 10;
const PROBE_MAX_BYTES = 512 << 10;
/** A gzip member's probe inflates at most this much (a hostile stream of zeros must not cost more). */
const PROBE_MAX_INFLATED = 4 << 20;

/**
 * Opens every member: explicit files as given (refused when missing, unreadable or not a regular file), the
 * regular files of each directory in natural name order (`f.pcap2` before `f.pcap10`), keeping those whose
 * first bytes are a pcap, pcapng or gzip magic number.
 */
export function openCaptureSet(paths: readonly string[]): { files: CaptureSetFile[]; skipped: string[] } {
  const files: CaptureSetFile[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  try {
    for (const path of paths) {
      let isDirectory = false;
      try {
        isDirectory = statSync(path).isDirectory();
      } catch (error) {
        if (errorCode(error) === 'ENOENT') throw new CaptureFileError('not-found', `capture file ${path} not found`);
        throw unreadable(path, error);
      }
      if (!isDirectory) {
        if (seen.has(path)) continue;
        seen.add(path);
        const input = openCaptureInput(path);
        if (input.kind !== 'file') {
          input.stream.destroy();
          throw new CaptureFileError('unreadable', `capture file ${path} is not a regular file; several captures are replayed from files only (a pipe can be replayed alone)`);
        }
        files.push({ path, input, firstMicros: Number.NaN, closed: false });
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(path);
      } catch (error) {
        throw unreadable(path, error);
      }
      for (const name of names.sort(naturalCompare)) {
        const member = join(path, name);
        if (seen.has(member)) continue;
        seen.add(member);
        const opened = openIfCapture(member);
        if (opened === null) skipped.push(member);
        else files.push({ path: member, input: opened, firstMicros: Number.NaN, closed: false });
      }
    }
  } catch (error) {
    files.forEach(closeMember);
    throw error;
  }
  return { files, skipped };
}

export function closeMember(file: CaptureSetFile): void {
  if (file.closed) return;
  file.closed = true;
  closeSync(file.input.fd);
}

/** Rotations in time order whatever their names; equal times by name; members without a frame last, by name. */
export function byFirstFrame(a: CaptureSetFile, b: CaptureSetFile): number {
  const aTimed = a.firstMicros === a.firstMicros;
  const bTimed = b.firstMicros === b.firstMicros;
  if (aTimed && bTimed && a.firstMicros !== b.firstMicros) return a.firstMicros - b.firstMicros;
  if (aTimed !== bTimed) return aTimed ? -1 : 1;
  return naturalCompare(a.path, b.path);
}

/** A directory entry: opened when it is a regular file starting with a capture or gzip magic number. */
function openIfCapture(path: string): CaptureSetFile['input'] | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const stat = fstatSync(fd); // the file opened, not whatever the path names a moment later
    if (!stat.isFile()) return close(fd);
    const head = Buffer.alloc(4);
    const n = readSync(fd, head, 0, 4, 0);
    if (n < 4 || !isCaptureMagic(head)) return close(fd);
    return { kind: 'file', fd, size: stat.size };
  } catch {
    return close(fd);
  }
}

function close(fd: number): null {
  closeSync(fd);
  return null;
}

function isCaptureMagic(head: Buffer): boolean {
  return isGzipMagic(head) || head.readUInt32BE(0) === BLOCK_SECTION_HEADER || pcapByteOrder(new DataView(head.buffer, head.byteOffset, 4)) !== null;
}

/**
 * Finds the member's first frame time from its first bytes only (read at explicit offsets, so the replay
 * later reads it from its start). Returns what is wrong with a damaged file header (the member is then
 * skipped), null otherwise; throws for an explicit path that is no capture at all (unknown magic).
 */
export async function probeFirstFrame(file: CaptureSetFile, explicit: boolean): Promise<string | null> {
  for (const want of [PROBE_BYTES, PROBE_MAX_BYTES]) {
    let head = Buffer.allocUnsafe(Math.min(want, file.input.size));
    head = head.subarray(0, readSync(file.input.fd, head, 0, head.length, 0));
    const whole = head.length >= file.input.size;
    if (head.length >= 2 && isGzipMagic(head)) {
      const zlib = await import('node:zlib');
      try {
        head = zlib.gunzipSync(head, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: PROBE_MAX_INFLATED });
      } catch {
        return null; // not inflatable here: the read says what is wrong with it, in its place (last, no time)
      }
    }
    const first = new FirstFrame();
    const problems = new CaptureFileProblems();
    const reader = new CaptureFileReader(file.path, first, problems, Math.max(head.length, 64));
    try {
      reader.append(head);
      if (whole && first.seconds !== first.seconds) reader.end();
    } catch (error) {
      if (!(error instanceof CaptureFileError)) throw error;
      // A capture's magic with a broken header is a damaged member; an explicit file that is no capture is a mistake.
      if (explicit && !(head.length >= 4 && isCaptureMagic(head))) throw error;
      return error.message.replace(`capture file ${file.path} `, '');
    }
    if (first.seconds === first.seconds) {
      file.firstMicros = first.seconds * 1e6 + first.nanoseconds / 1000;
      return null;
    }
    if (whole || problems.stoppedBy !== null) return null; // no frame: ordered last, its damage said by its read
  }
  return null;
}

/** Keeps the time of the first frame it is given. */
class FirstFrame implements FrameConsumer {
  seconds = Number.NaN;
  nanoseconds = 0;

  onFrame(_data: Uint8Array, _offset: number, _length: number, _linkType: number, seconds: number, nanoseconds: number): void {
    if (this.seconds !== this.seconds) {
      this.seconds = seconds;
      this.nanoseconds = nanoseconds;
    }
  }
}

/** Name order with digit runs compared as numbers: `f.pcap2` < `f.pcap10`, `cap-2024-01-02` < `cap-2024-01-10`. */
export function naturalCompare(a: string, b: string): number {
  const pa = a.split(/(\d+)/);
  const pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    if (i % 2 === 1) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}
