// -tokenFile: the InfluxDB token read from a file once at start, never echoed.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ConfigError, quoteValue } from './config-error.js';

/** A token is short; anything bigger is the wrong file. */
export const MAX_TOKEN_FILE_BYTES = 64 * 1024;

/**
 * Reads the token from `path`: one final newline (`\n` or `\r\n`) is dropped; an empty, multi-line,
 * oversized, non-regular or unreadable file is a ConfigError. A world-readable file is read with a warning.
 */
export function readTokenFile(path: string, warn: (message: string) => void): string {
  const name = quoteValue(path);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new ConfigError(`token file ${name} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'unknown error'}); check the path given to -tokenFile and its permissions`, { cause: err });
  }
  let bytes: Buffer;
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new ConfigError(`token file ${name} is not a regular file; give -tokenFile a file holding the token`);
    if (stat.size > MAX_TOKEN_FILE_BYTES) throw new ConfigError(`token file ${name} is ${stat.size} bytes, more than the ${MAX_TOKEN_FILE_BYTES} a token can take; give -tokenFile the file holding only the token`);
    if ((stat.mode & 0o004) !== 0) warn(`token file ${name} is readable by every user (mode ${(stat.mode & 0o777).toString(8)}); run chmod o-r on it`);
    bytes = Buffer.alloc(stat.size);
    let filled = 0;
    while (filled < bytes.length) {
      const n = readSync(fd, bytes, filled, bytes.length - filled, null);
      if (n === 0) break;
      filled += n;
    }
    bytes = bytes.subarray(0, filled);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`token file ${name} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'unknown error'}); check the file given to -tokenFile`, { cause: err });
  } finally {
    closeSync(fd);
  }
  const token = bytes.toString('utf8').replace(/\r?\n$/, '');
  if (token === '') throw new ConfigError(`token file ${name} is empty; write the InfluxDB token into it`);
  // The token goes into an HTTP header: a second line or a control character would break (or forge) it.
  if (/[\u0000-\u001f\u007f]/.test(token)) throw new ConfigError(`token file ${name} holds more than one line or a control character; keep only the token in it, on one line`);
  return token;
}
