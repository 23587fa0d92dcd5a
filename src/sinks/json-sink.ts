import type { WindowReport } from '../report/window-report.js';
import type { Sink } from './sink.js';
import { TextOutput, type TextOutputOptions, type TextStream } from './text-output.js';

export interface JsonSinkOptions extends TextOutputOptions {
  /** Longest wait in close() for the reader to take the last windows. */
  closeTimeoutMs?: number;
}

/**
 * One JSON WindowReport per line (dates as ISO strings); the stream carries nothing else. A window the
 * stream fails to take, or that would wait beyond the bound for a slow reader, is counted in lost().
 */
export function createJsonSink(out: TextStream, options: JsonSinkOptions = {}): Sink {
  const output = new TextOutput(out, { streamName: 'stdout', ...options });
  return {
    name: 'json',
    write(report: WindowReport): void {
      output.write(JSON.stringify(report) + '\n');
    },
    async close(): Promise<void> {
      await output.settle(options.closeTimeoutMs ?? 5_000);
    },
    lost: () => output.lost,
  };
}
