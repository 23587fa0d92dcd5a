import type { WindowReport } from '../report/window-report.js';
import type { Sink } from './sink.js';

/** One JSON WindowReport per line (dates as ISO strings); the stream carries nothing else. */
export function createJsonSink(out: NodeJS.WritableStream): Sink {
  return {
    name: 'json',
    write(report: WindowReport): void {
      out.write(JSON.stringify(report) + '\n');
    },
    async close(): Promise<void> {},
  };
}
