import type { WindowReport } from '../report/window-report.js';
import type { Sink } from './sink.js';

/**
 * Hands each window to every sink in order. A failing sink is reported and counted, never allowed to
 * stop the others or the capture; asynchronous writes are awaited at close so nothing is lost at exit.
 */
export class SinkFanout {
  private readonly pending = new Set<Promise<void>>();
  readonly failures = new Map<string, number>();

  constructor(
    private readonly sinks: readonly Sink[],
    private readonly onError: (sink: Sink, error: Error, firstTime: boolean) => void,
  ) {}

  write(report: WindowReport): void {
    for (const sink of this.sinks) {
      try {
        const result = sink.write(report);
        if (result) {
          const p = result.catch((err: unknown) => this.fail(sink, err)).finally(() => this.pending.delete(p));
          this.pending.add(p);
        }
      } catch (err) {
        this.fail(sink, err);
      }
    }
  }

  /** Waits for pending writes, then closes every sink (each close failure reported, none skipped). */
  async close(): Promise<void> {
    await Promise.all(this.pending);
    for (const sink of this.sinks) {
      try {
        await sink.close();
      } catch (err) {
        this.fail(sink, err);
      }
    }
  }

  /** Windows or lines the outputs failed to deliver, and window writes that failed; read after close(). */
  lost(): number {
    let total = 0;
    for (const sink of this.sinks) total += sink.lost?.() ?? 0;
    for (const count of this.failures.values()) total += count;
    return total;
  }

  private fail(sink: Sink, err: unknown): void {
    const count = (this.failures.get(sink.name) ?? 0) + 1;
    this.failures.set(sink.name, count);
    this.onError(sink, err instanceof Error ? err : new Error(String(err)), count === 1);
  }
}
