import { constants, lstatSync, openSync } from 'node:fs';

/** An output file Peng must not open: a symlink someone else planted. A configuration error (exit 2). */
export class OutputFileError extends Error {
  override readonly name = 'OutputFileError';
  readonly exitCode = 2;
}

export interface OpenOutputFileOptions {
  /** Owners whose symlinks are followed (root, the user Peng runs as and the -user it drops to). */
  trustedLinkOwners: readonly number[];
  /** Names the file in messages ("CSV file"). */
  what: string;
}

/** Read access too: a sink may check how the file ends before appending. */
const APPEND = constants.O_RDWR | constants.O_CREAT | constants.O_APPEND;

/**
 * Opens `path` for appending (created 0644 if missing) without following a symlink, unless the link is
 * owned by a trusted user: root appending through a link planted in /tmp would write to any file.
 */
export function openOutputFileForAppend(path: string, options: OpenOutputFileOptions): number {
  try {
    return openSync(path, APPEND | constants.O_NOFOLLOW, 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOOP') throw err;
  }
  // ELOOP under O_NOFOLLOW: the last component is a symlink; follow it only when a trusted user made it.
  const owner = lstatSync(path).uid;
  if (!options.trustedLinkOwners.includes(owner)) {
    throw new OutputFileError(
      `${options.what} ${JSON.stringify(path)} is a symbolic link owned by uid ${owner}, not by root or the user Peng runs as; refusing to follow it (remove the link or give the real path)`,
    );
  }
  return openSync(path, APPEND, 0o644);
}
