import type { Readable } from 'node:stream';
import type { CaptureFileProblems } from './capture-file-problems.js';
import type { CaptureFileReader } from './capture-file-reader.js';
import { describe, unreadable, type CaptureInput } from './capture-input.js';
import type { CaptureProgress } from './progress.js';

/** What the read loops share. */
export interface ReadRun {
  readonly input: CaptureInput;
  readonly path: string;
  readonly reader: CaptureFileReader;
  readonly problems: CaptureFileProblems;
  progress: CaptureProgress | null;
  interrupted: boolean;
  /** The descriptor was handed over or closed. */
  closed: boolean;
}

/**
 * Calls `onChunk` for every chunk until the stream ends, the reader stops or the caller interrupts. A
 * failing read after the file header is damage that stops reading; before it, the file is unreadable.
 */
export async function forEachChunk(run: ReadRun, stream: Readable, onChunk: (chunk: Buffer) => void | Promise<void>): Promise<void> {
  const { reader } = run;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      await onChunk(chunk);
      if (reader.stopped) break;
    }
  } catch (error) {
    if (!isReadError(error)) throw error;
    if (run.interrupted) return; // the stop destroyed the stream: not damage
    if (reader.format === null) throw unreadable(run.path, error);
    run.problems.stop('read error', reader.position, describe(error));
    reader.stopped = true;
  }
}

/** Errors raised by reading the input, as opposed to a consumer's own bug. */
export function isReadError(error: unknown): boolean {
  return error instanceof Error && (typeof (error as NodeJS.ErrnoException).syscall === 'string' || (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE');
}
