import { closeSync } from 'node:fs';
import type { WindowReport } from '../report/window-report.js';
import { openCsvFile, type CsvFileOptions } from './csv-file.js';
import type { Sink } from './sink.js';

export const SCAN_CSV_HEADER = 'time,interface,source,direction,reason,kinds,probes,ports,hosts,first_seen,detected_at\n';

/** A CSV field: quoted when it holds a comma, quote or line break (RFC 4180). */
function field(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * `-exportScans FILE`: one row per scanner listed in each window (bounded by -maxScans), appended across
 * runs with one header; whole rows only, like the seed's CSV. The seed's CSV keeps its three columns.
 */
export function createScanCsvSink(path: string, options: CsvFileOptions = {}): Sink {
  const file = openCsvFile(path, SCAN_CSV_HEADER, 'scan CSV file', options);
  return {
    name: 'scan csv',
    write(report: WindowReport): void {
      const scans = report.scans ?? [];
      if (scans.length === 0) return;
      const time = report.end.toISOString();
      const rows = scans.map(
        (s) =>
          `${time},${field(report.interface)},${field(s.source)},${s.direction},${s.reason},${field(s.kinds.join(' '))},${s.probes},${s.ports},${s.hosts},${s.firstSeen.toISOString()},${s.detectedAt.toISOString()}\n`,
      );
      file.append(rows.join(''));
    },
    async close(): Promise<void> {
      closeSync(file.fd);
    },
  };
}
