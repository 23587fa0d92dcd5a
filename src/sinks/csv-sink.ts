import { closeSync, fstatSync, writeSync } from 'node:fs';
import { OutputFileError, openOutputFileForAppend } from './open-output-file.js';
import type { WindowReport } from '../report/window-report.js';
import type { Sink } from './sink.js';

export interface CsvSinkOptions {
  /** Users whose symlink at `path` is followed; default root and the current user. */
  trustedLinkOwners?: readonly number[];
}

export const CSV_HEADER = 'time,client,server\n';

/**
 * The seed's CSV export (`time,client,server`), appended across runs with one header. The file is
 * opened at once, before privileges are dropped, and written through its descriptor.
 */
export function createCsvSink(path: string, options: CsvSinkOptions = {}): Sink {
  let fd: number;
  try {
    fd = openOutputFileForAppend(path, { what: 'CSV file', trustedLinkOwners: options.trustedLinkOwners ?? [0, process.geteuid?.() ?? 0] });
  } catch (err) {
    if (err instanceof OutputFileError) throw err;
    throw new Error(`cannot open CSV file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; check the path and its permissions`);
  }
  if (fstatSync(fd).size === 0) writeSync(fd, CSV_HEADER);
  return {
    name: 'csv',
    write(report: WindowReport): void {
      writeSync(fd, `${report.end.toISOString()},${report.client.entropy},${report.server.entropy}\n`);
    },
    async close(): Promise<void> {
      closeSync(fd);
    },
  };
}
