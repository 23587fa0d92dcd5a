import type { WindowReport } from '../report/window-report.js';

/** A destination for finished windows. Each sink consumes WindowReports and nothing else. */
export interface Sink {
  /** Human-readable name used in error messages. */
  readonly name: string;
  /** Called once per finished window, in order. */
  write(report: WindowReport): void | Promise<void>;
  /** Flushes and releases resources; called once at shutdown. */
  close(): Promise<void>;
  /** After close: what this output failed to deliver (windows or lines), so the run can end with exit 1. */
  lost?(): number;
}
