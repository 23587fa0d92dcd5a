import { closeSync, constants, createReadStream, fstatSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Net from 'node:net';
import type { Readable } from 'node:stream';
import type * as Tty from 'node:tty';
import { CaptureFileError } from './capture-file-error.js';

// node:net and node:tty serve only pipes and terminals: loaded then, so a file replay does not pay their start-up.
const require = createRequire(import.meta.url);

/**
 * An opened capture: a regular file (or block device) read synchronously at full speed, or anything else
 * (FIFO, `<(zcat f)`, /dev/stdin, a terminal, a character device) as a stream the event loop waits on, so
 * that a signal can interrupt a read that is waiting for a slow or absent writer.
 */
export type CaptureInput = { kind: 'file'; fd: number; size: number } | { kind: 'stream'; stream: Readable };

/** Stream chunk size: large reads keep per-chunk overhead low. */
export const STREAM_CHUNK_SIZE = 1 << 20;

/**
 * Opens `path` without ever blocking: O_NONBLOCK makes opening a FIFO with no writer return at once (a
 * blocking open would hold the event loop, and signals with it, until a writer came).
 */
export function openCaptureInput(path: string): CaptureInput {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') throw new CaptureFileError('not-found', `capture file ${path} not found`);
    throw unreadable(path, error);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new CaptureFileError('unreadable', `capture file ${path} is a directory`);
    // O_NONBLOCK does not change reads of regular files and block devices: they never wait.
    if (stat.isFile() || stat.isBlockDevice()) return { kind: 'file', fd, size: stat.isFile() ? stat.size : 0 };
    // Pipes and terminals get an event-loop handle (epoll): a waiting read costs nothing and can be cancelled.
    if (stat.isFIFO() || stat.isSocket()) return { kind: 'stream', stream: new (require('node:net') as typeof Net).Socket({ fd, readable: true, writable: false }) };
    const tty = require('node:tty') as typeof Tty;
    if (tty.isatty(fd)) return { kind: 'stream', stream: new tty.ReadStream(fd) };
    return { kind: 'stream', stream: createReadStream('', { fd, highWaterMark: STREAM_CHUNK_SIZE }) };
  } catch (error) {
    closeSync(fd);
    if (error instanceof CaptureFileError) throw error;
    throw unreadable(path, error);
  }
}

export function unreadable(path: string, error: unknown): CaptureFileError {
  return new CaptureFileError('unreadable', `capture file ${path} cannot be read (${describe(error)})`);
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

export function describe(error: unknown): string {
  const code = errorCode(error);
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
