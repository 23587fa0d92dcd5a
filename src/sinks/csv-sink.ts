import { closeSync } from 'node:fs';
import type { WindowReport } from '../report/window-report.js';
import { openCsvFile, type CsvFileOptions } from './csv-file.js';
import type { Sink } from './sink.js';

export type CsvSinkOptions = CsvFileOptions;

export const CSV_HEADER = 'time,client,server\n';

/**
 * The seed's CSV export (`time,client,server`), appended across runs with one header. The file is
 * opened at once, before privileges are dropped, and written through its descriptor. Rows are written
 * whole or not at all: a row the disk cannot take is cut back out, thrown (the fan-out counts it and says
 * it once) and later rows are still tried.
 */
export function createCsvSink(path: string, options: CsvSinkOptions = {}): Sink {
  const file = openCsvFile(path, CSV_HEADER, 'CSV file', options);
  return {
    name: 'csv',
    write(report: WindowReport): void {
      file.append(`${report.end.toISOString()},${report.client.entropy},${report.server.entropy}\n`);
    },
    async close(): Promise<void> {
      closeSync(file.fd);
    },
  };
}
