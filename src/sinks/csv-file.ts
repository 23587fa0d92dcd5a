import { fstatSync, ftruncateSync, readSync, writeSync } from 'node:fs';
import { OutputFileError, openOutputFileForAppend } from './open-output-file.js';

export interface CsvFileOptions {
  /** Users whose symlink at `path` is followed; default root and the current user. */
  trustedLinkOwners?: readonly number[];
}

/**
 * Opens a CSV file for appending whole rows (at once, before privileges are dropped); `what` names it in
 * messages. A planted symlink is refused (exit 2); any other failure says what to check.
 */
export function openCsvFile(path: string, header: string, what: string, options: CsvFileOptions = {}): WholeRowFile {
  let fd: number;
  try {
    // Read as well as append (the last byte tells whether an earlier run left a partial row); never through a planted link.
    fd = openOutputFileForAppend(path, { what, trustedLinkOwners: options.trustedLinkOwners ?? [0, process.geteuid?.() ?? 0] });
  } catch (err) {
    if (err instanceof OutputFileError) throw err;
    throw new Error(`cannot open ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; check the path and its permissions`);
  }
  return new WholeRowFile(fd, path, header, what);
}

/** An O_APPEND descriptor that takes whole rows only, starting a new line when the file ends mid-row. */
export class WholeRowFile {
  /** Text owed before the next row: the header of a new file, or the newline a partial row lacks. */
  private owed: string;

  constructor(
    readonly fd: number,
    private readonly path: string,
    header: string,
    private readonly what = 'CSV file',
  ) {
    const size = fstatSync(fd).size;
    this.owed = size === 0 ? header : this.lastByte(size) === 0x0a ? '' : '\n';
    // Written now so a run without windows still leaves a headed file; a full disk leaves it owed.
    if (this.owed !== '' && this.tryAppend(this.owed) === null) this.owed = '';
  }

  /** Appends `row` (after anything owed) whole, or throws with the file as it was. */
  append(row: string): void {
    const text = this.owed + row;
    const failure = this.tryAppend(text);
    if (failure === null) {
      this.owed = '';
      return;
    }
    throw new Error(`cannot append a row to ${this.what} ${this.path} (${failure}); free space on its disk — the file keeps whole rows only and later rows are still tried`);
  }

  /** One write of the whole text; on a short write or error the file is cut back. Returns null or what failed. */
  private tryAppend(text: string): string | null {
    const bytes = Buffer.from(text);
    let before: number;
    let written: number;
    try {
      before = fstatSync(this.fd).size;
      written = writeSync(this.fd, bytes);
    } catch (err) {
      return (err as Error).message;
    }
    if (written === bytes.length) return null;
    try {
      ftruncateSync(this.fd, before);
    } catch (err) {
      // The partial row stays: the next row must begin on a line of its own.
      this.owed = '\n';
      return `wrote ${written} of ${bytes.length} bytes and could not cut them back: ${(err as Error).message}`;
    }
    return `wrote ${written} of ${bytes.length} bytes, cut back`;
  }

  private lastByte(size: number): number {
    const byte = Buffer.alloc(1);
    readSync(this.fd, byte, 0, 1, size - 1);
    return byte[0]!;
  }
}
