import type { PengConfig } from '../config/peng-config.js';
import { createLogger, type Logger } from '../log.js';
import { stdStreamGuard } from './std-stream-guard.js';

/** Where a run writes what: the one place that decides stdout, stderr and Telegraf's prefixes. */
export interface RunStdio {
  /** Logs on stderr; `E!`/`W!`/`I!` prefixes under -lineProtocol, which Telegraf's execd reads. */
  readonly log: Logger;
  /** stdout carries data (-json or -lineProtocol), so nothing else may be written there. */
  readonly dataOnStdout: boolean;
  /** Console lines: stdout, or stderr when stdout carries data. */
  readonly console: NodeJS.WritableStream;
  /** Before every console line: `I! ` under Telegraf, which reads an unprefixed stderr line as an error. */
  readonly consolePrefix: string;
}

export function runStdio(config: Pick<PengConfig, 'json' | 'lineProtocol' | 'debug'>): RunStdio {
  const dataOnStdout = config.json || config.lineProtocol;
  const guard = stdStreamGuard();
  // Under the guard a failed stderr is not written again; without it (library use) plain stderr.
  const log = createLogger({ telegraf: config.lineProtocol, debug: config.debug, ...(guard ? { write: (text: string) => guard.writeStderr(text) } : {}) });
  guard?.useLogger(log);
  return {
    log,
    dataOnStdout,
    console: dataOnStdout ? process.stderr : process.stdout,
    consolePrefix: config.lineProtocol ? 'I! ' : '',
  };
}
