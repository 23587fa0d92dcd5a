import type { Direction } from '../report/window-report.js';
import { LogRateLimit } from '../log.js';
import { goTimeString } from './console-sink.js';

/** At most this many port lines per second: the traffic is hostile and must not flood the console. */
const PORT_LINES_PER_SECOND = 50;

/** The probe's source as the decoder's record holds it (structurally: sinks know the report, not the decoder). */
export interface PortTraceSource {
  readonly family: 4 | 6;
  readonly src4: number;
  readonly src6: Uint32Array;
}

/** One counted port: its direction, the probe's source and its capture second. */
export type PortTrace = (direction: Direction, port: number, source: PortTraceSource, seconds: number) => void;

/**
 * `-verbose 3`: one console line per counted port, as the original printed them plus the time and the source,
 * rate-limited; the number of lines held back is said with the next one that passes. The source is turned
 * into text only for the lines printed.
 */
export function createPortTrace(out: NodeJS.WritableStream, linePrefix: string, sourceText: (source: PortTraceSource) => string): PortTrace {
  const limit = new LogRateLimit({ burst: PORT_LINES_PER_SECOND, intervalMs: 1000 });
  return (direction, port, source, seconds) => {
    const dropped = limit.take();
    if (dropped < 0) return;
    const tag = direction === 'client' ? 'CLIENT' : 'SERVER';
    const time = goTimeString(new Date(seconds * 1000));
    out.write(`${linePrefix}[${time}] [${tag}] port ${port} from ${sourceText(source)}${dropped > 0 ? ` (${dropped} port lines suppressed)` : ''}\n`);
  };
}
