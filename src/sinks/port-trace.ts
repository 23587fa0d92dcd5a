import type { Direction } from '../report/window-report.js';
import { LogRateLimit } from '../log.js';

/** At most this many port lines per second: the traffic is hostile and must not flood the console. */
const PORT_LINES_PER_SECOND = 50;

/**
 * `-verbose 3`: one console line per counted port, as the original printed them, rate-limited; the
 * number of lines held back is said with the next one that passes.
 */
export function createPortTrace(out: NodeJS.WritableStream, linePrefix = ''): (direction: Direction, port: number) => void {
  const limit = new LogRateLimit({ burst: PORT_LINES_PER_SECOND, intervalMs: 1000 });
  return (direction, port) => {
    const dropped = limit.take();
    if (dropped < 0) return;
    const tag = direction === 'client' ? 'CLIENT' : 'SERVER';
    out.write(`${linePrefix}[${tag}] port ${port}${dropped > 0 ? ` (${dropped} port lines suppressed)` : ''}\n`);
  };
}
