import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { CaptureFileError } from './capture-file-error.js';
import { CaptureFileProblems } from './capture-file-problems.js';
import { CaptureFileReader } from './capture-file-reader.js';
import type { FrameConsumer } from '../../packets/frame-consumer.js';
import { CaptureProgress } from './progress.js';

export { CaptureFileError, type CaptureFileErrorCode } from './capture-file-error.js';

export interface CaptureFileSummary {
  format: 'pcap' | 'pcapng';
  compressed: boolean;
  /** Frames delivered to the consumer. */
  frames: number;
  /** Captured bytes of those frames. */
  bytes: number;
  /** Damaged or skipped records and blocks, counted. */
  problems: number;
  /** Reading was stopped by the caller's signal before the end of the file. */
  interrupted: boolean;
}

export interface ReadCaptureFileOptions {
  /** Called once per kind of damage when reading ends, with where it first occurred and how often. */
  onProblem?: (message: string) => void;
  /** A progress line on stderr; default: only when stderr is a TTY. */
  progress?: boolean;
  /** Working buffer size in bytes (default 1 MiB); tests use small ones to split records across reads. */
  chunkSize?: number;
  /** Stops reading at the next chunk (Ctrl-C during a long replay); frames so far stay delivered. */
  signal?: AbortSignal;
  /** Called once the file is open, before any byte is parsed (the replay drops root there); may throw. */
  onOpen?: () => void;
}

const DEFAULT_CHUNK_SIZE = 1 << 20;
/** Plain reads yield to the event loop this often, so signals and timers still run during a long replay. */
const YIELD_EVERY_BYTES = 32 << 20;
const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/**
 * Streams every frame of a pcap or pcapng file, optionally gzip-compressed, into
 * `consumer.onFrame(data, offset, length, linkType, seconds, nanoseconds)` in constant memory.
 * Rejects with CaptureFileError, before any frame, when the file is missing, unreadable or not a capture.
 */
export async function readCaptureFile(
  path: string,
  consumer: FrameConsumer,
  options: ReadCaptureFileOptions = {},
): Promise<CaptureFileSummary> {
  const problems = new CaptureFileProblems();
  const reader = new CaptureFileReader(path, consumer, problems, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const fd = openCapture(path);
  let size: number;
  let head: Buffer;
  try {
    options.onOpen?.();
    size = sizeOf(fd, path);
    head = readHead(fd, path);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  const compressed = head.length === 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
  const progress = (options.progress ?? process.stderr.isTTY === true) ? new CaptureProgress(size) : null;
  let interrupted = false;
  const stop = (): void => {
    interrupted = true;
    reader.stopped = true; // both read loops check it between chunks
  };
  options.signal?.addEventListener('abort', stop);
  try {
    // Reads go on from where the sniffing stopped, so pipes (`<(zcat f)`, /dev/stdin) work as well as files.
    if (compressed) await readCompressed(fd, head, path, reader, problems, progress);
    else await readPlain(fd, head, path, reader, problems, progress);
    reader.end();
  } finally {
    options.signal?.removeEventListener('abort', stop);
    progress?.finish();
  }
  if (options.onProblem) for (const message of problems.messages()) options.onProblem(message);
  return { format: reader.format!, compressed, frames: reader.frames, bytes: reader.bytes, problems: problems.total, interrupted };
}

/** Reads straight into the reader's buffer: no copy between the file and the consumer. */
async function readPlain(
  fd: number,
  head: Buffer,
  path: string,
  reader: CaptureFileReader,
  problems: CaptureFileProblems,
  progress: CaptureProgress | null,
): Promise<void> {
  try {
    reader.buffer.set(head, 0);
    let position = head.length;
    reader.commit(head.length);
    let sinceYield = 0;
    while (!reader.stopped) {
      let n: number;
      try {
        n = readSync(fd, reader.buffer, reader.filled, reader.room, null);
      } catch (error) {
        if (reader.format === null) throw unreadable(path, error);
        problems.add('read error', position, `${describe(error)}; reading stopped there`);
        reader.stopped = true;
        return;
      }
      if (n === 0) return;
      position += n;
      reader.commit(n);
      progress?.update(reader.frames, position);
      sinceYield += n;
      if (sinceYield >= YIELD_EVERY_BYTES) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Inflates as a stream; damage in the compressed data ends reading with the frames so far kept. */
async function readCompressed(
  fd: number,
  head: Buffer,
  path: string,
  reader: CaptureFileReader,
  problems: CaptureFileProblems,
  progress: CaptureProgress | null,
): Promise<void> {
  // zlib is loaded only for compressed captures: it costs start-up time every plain replay would pay.
  const { createGunzip } = await import('node:zlib');
  // The stream owns the descriptor from here and closes it however reading ends.
  const input = createReadStream('', { fd, highWaterMark: DEFAULT_CHUNK_SIZE });
  const inflated = createGunzip({ chunkSize: 256 * 1024 });
  input.on('error', (error) => inflated.destroy(error));
  inflated.write(head);
  input.pipe(inflated);
  try {
    for await (const chunk of inflated as AsyncIterable<Buffer>) {
      reader.append(chunk);
      progress?.update(reader.frames, head.length + input.bytesRead);
      if (reader.stopped) break;
    }
  } catch (error) {
    if (error instanceof CaptureFileError || !isStreamError(error)) throw error;
    if (reader.format === null) {
      if (isZlibError(error)) {
        throw new CaptureFileError('not-a-capture', `capture file ${path} is gzip-compressed but cannot be inflated (${describe(error)})`);
      }
      throw unreadable(path, error);
    }
    const kind = isZlibError(error) ? 'damaged compressed data' : 'read error';
    problems.add(kind, reader.position, `${describe(error)}; reading stopped there`);
    reader.stopped = true;
  } finally {
    input.destroy();
    inflated.destroy();
  }
}

function openCapture(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') throw new CaptureFileError('not-found', `capture file ${path} not found`);
    throw unreadable(path, error);
  }
}

/** File size for the progress percentage; 0 for pipes and devices. Directories are refused. */
function sizeOf(fd: number, path: string): number {
  const stat = fstatSync(fd);
  if (stat.isDirectory()) throw new CaptureFileError('unreadable', `capture file ${path} is a directory`);
  return stat.isFile() ? stat.size : 0;
}

/** The first two bytes (fewer only at end of file), read sequentially so that a pipe loses nothing. */
function readHead(fd: number, path: string): Buffer {
  const head = Buffer.alloc(2);
  let n = 0;
  try {
    while (n < 2) {
      const got = readSync(fd, head, n, 2 - n, null);
      if (got === 0) break;
      n += got;
    }
  } catch (error) {
    throw unreadable(path, error);
  }
  return head.subarray(0, n);
}

function unreadable(path: string, error: unknown): CaptureFileError {
  return new CaptureFileError('unreadable', `capture file ${path} cannot be read (${describe(error)})`);
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

function isZlibError(error: unknown): boolean {
  return errorCode(error)?.startsWith('Z_') === true;
}

/** Errors raised by the file or inflate streams, as opposed to a consumer's own bug. */
function isStreamError(error: unknown): boolean {
  return isZlibError(error) || (error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string');
}

function describe(error: unknown): string {
  const code = errorCode(error);
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
