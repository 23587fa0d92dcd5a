import { closeSync, readSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { CaptureFormat } from './capture-file-format.js';
import { CaptureFileProblems, type ProblemEntry } from './capture-file-problems.js';
import { CaptureFileReader } from './capture-file-reader.js';
import { describe, openCaptureInput, unreadable, type CaptureInput } from './capture-input.js';
import { forEachChunk, type ReadRun } from './read-run.js';
import type { FrameConsumer } from '../../packets/frame-consumer.js';
import { GZIP_MAGIC_0, GZIP_MAGIC_1 } from './gzip-header.js';
import { CaptureProgress } from './progress.js';

export { CaptureFileError, type CaptureFileErrorCode } from './capture-file-error.js';

export interface CaptureFileSummary {
  /** null only when the caller's signal came before the file header did. */
  format: CaptureFormat | null;
  compressed: boolean;
  /** Frames delivered to the consumer. */
  frames: number;
  /** Captured bytes of those frames. */
  bytes: number;
  /** Damaged or skipped records and blocks, counted. */
  problems: number;
  /** Reading was stopped by the caller's signal before the end of the file. */
  interrupted: boolean;
  /**
   * The kind of damage that stopped reading before the end of the capture (an absurd record length, a
   * truncated record or gzip stream, a read error...), or null when it was read to its end. Damage that
   * was skipped with reading going on (unknown blocks, counted records) leaves this null.
   */
  stoppedEarly: string | null;
}

export interface ReadCaptureFileOptions {
  /** Called once per kind of damage when reading ends, with where it first occurred and how often. */
  onProblem?: (message: string) => void;
  /** The same once, as kinds with counts (a set of rotated captures tallies them over its files). */
  onProblemKinds?: (kinds: ProblemEntry[]) => void;
  /**
   * A progress line on stderr; default: only when stderr is a TTY. A CaptureProgress given here is shared
   * by the files of a set: it is updated, never finished, by this call.
   */
  progress?: boolean | CaptureProgress;
  /** Working buffer size in bytes (default 1 MiB); tests use small ones to split records across reads. */
  chunkSize?: number;
  /** Stops reading at the next chunk, or at once while waiting on a pipe; frames so far stay delivered. */
  signal?: AbortSignal;
  /** Called once the file is open, before any byte is parsed (the replay drops root there); may throw. */
  onOpen?: () => void;
  /** The input already opened by `openCaptureInput(path)` (rotated captures are opened before root is dropped); closed here. */
  input?: CaptureInput;
}

const DEFAULT_CHUNK_SIZE = 1 << 20;
/** Plain reads yield to the event loop this often, so signals and timers still run during a long replay. */
const YIELD_EVERY_BYTES = 32 << 20;

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
  const input = options.input ?? openCaptureInput(path);
  const run: ReadRun = { input, path, reader, problems, progress: null, interrupted: options.signal?.aborted === true, closed: false };
  try {
    options.onOpen?.();
  } catch (error) {
    closeInput(run);
    throw error;
  }
  const stop = (): void => {
    run.interrupted = true;
    reader.stopped = true; // every read loop checks it between chunks
    if (input.kind === 'stream') input.stream.destroy(); // ends a read that waits for a writer
  };
  options.signal?.addEventListener('abort', stop);
  let compressed = false;
  try {
    const head = run.interrupted ? Buffer.alloc(0) : await readHead(run);
    compressed = head.length >= 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
    const shared = options.progress instanceof CaptureProgress ? options.progress : null;
    if (shared === null && (options.progress ?? process.stderr.isTTY === true) && !run.interrupted) {
      run.progress = new CaptureProgress(input.kind === 'file' ? input.size : 0);
    } else if (!run.interrupted) {
      run.progress = shared;
    }
    if (!run.interrupted) {
      // Reads go on from where the sniffing stopped, so pipes (`<(zcat f)`, /dev/stdin) work as well as files.
      if (compressed) await (await import('./read-compressed.js')).readCompressed(run, head);
      else if (input.kind === 'file') await readPlainFile(run, input.fd, head);
      else await readPlainStream(run, input.stream, head);
    }
    if (!run.interrupted) reader.end();
  } finally {
    options.signal?.removeEventListener('abort', stop);
    if (!(options.progress instanceof CaptureProgress)) run.progress?.finish();
    closeInput(run);
  }
  if (options.onProblem) for (const message of problems.messages()) options.onProblem(message);
  options.onProblemKinds?.(problems.entries());
  return {
    format: reader.format,
    compressed,
    frames: reader.frames,
    bytes: reader.bytes,
    problems: problems.total,
    interrupted: run.interrupted,
    stoppedEarly: problems.stoppedBy,
  };
}

/** Reads straight into the reader's buffer: no copy between the file and the consumer. */
async function readPlainFile(run: ReadRun, fd: number, head: Buffer): Promise<void> {
  const { reader, problems, progress } = run;
  reader.buffer.set(head, 0);
  let position = head.length;
  reader.commit(head.length);
  let sinceYield = 0;
  while (!reader.stopped) {
    let n: number;
    try {
      n = readSync(fd, reader.buffer, reader.filled, reader.room, null);
    } catch (error) {
      if (reader.format === null) throw unreadable(run.path, error);
      problems.stop('read error', position, describe(error));
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
}

/** A pipe or device: chunks as they arrive, copied into the reader's buffer. */
async function readPlainStream(run: ReadRun, stream: Readable, head: Buffer): Promise<void> {
  const { reader } = run;
  reader.append(head);
  await forEachChunk(run, stream, (chunk) => {
    reader.append(chunk);
    run.progress?.update(reader.frames, reader.position);
  });
}

/** The first two bytes (more from a pipe's first chunk; fewer only at the end of the input). */
async function readHead(run: ReadRun): Promise<Buffer> {
  const { input, path } = run;
  if (input.kind === 'file') {
    const head = Buffer.alloc(2);
    let n = 0;
    try {
      while (n < 2) {
        const got = readSync(input.fd, head, n, 2 - n, null);
        if (got === 0) break;
        n += got;
      }
    } catch (error) {
      throw unreadable(path, error);
    }
    return head.subarray(0, n);
  }
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    // The stream stays open after the head: the read loop goes on from there.
    for await (const chunk of input.stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= 2) break;
    }
  } catch (error) {
    if (run.interrupted) return Buffer.alloc(0);
    throw unreadable(path, error);
  }
  return Buffer.concat(chunks);
}

function closeInput(run: ReadRun): void {
  if (run.closed) return;
  run.closed = true;
  if (run.input.kind === 'file') closeSync(run.input.fd);
  else run.input.stream.destroy();
}
