import type { Logger } from '../log.js';
import { watchStdinClose } from './stdin-close.js';
import { stdStreamGuard } from './std-stream-guard.js';

/** A run's stop requests: the first SIGINT/SIGTERM (or stdin or stdout closing) aborts `signal`; a second signal exits at once. */
export interface StopRequests {
  readonly signal: AbortSignal;
  /** What asked to stop ('SIGTERM', 'stdin closed'), once it has. */
  readonly reason: string | null;
  /** Resolves with the reason when a stop is requested. */
  readonly requested: Promise<string>;
  /** Removes the handlers; stdin closing after this is no longer news. */
  dispose(): void;
}

export interface StopRequestOptions {
  /** Also stop when stdin is a pipe or socket and its writer closes it (Telegraf's execd stop). */
  stdin: boolean;
  log: Logger;
  /** Said on stderr when the first request arrives, after its reason: what the run does now. */
  onStopMessage: string;
}

/** Written once for replay and live: signals, stdin close, and the second-signal exit. */
export function watchStopRequests(options: StopRequestOptions): StopRequests {
  const controller = new AbortController();
  let reason: string | null = null;
  let resolveRequested: (reason: string) => void = () => {};
  const requested = new Promise<string>((resolve) => (resolveRequested = resolve));
  const stop = (why: string): void => {
    if (reason !== null) return;
    reason = why;
    stdinWatch?.disarm();
    options.log.info(`${why}: ${options.onStopMessage}`);
    controller.abort();
    resolveRequested(why);
  };
  let graceSignal = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    // Telegraf closes stdin, then sends SIGTERM when its grace period begins: that is not a second request.
    if (reason === 'stdin closed' && !graceSignal) {
      graceSignal = true;
      options.log.info(`${signal} after stdin closed: still finishing (a further signal exits at once)`);
      return;
    }
    if (reason !== null) process.exit(1); // a second signal while finishing: the user wants out now
    stop(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const stdinWatch = options.stdin ? watchStdinClose(() => stop('stdin closed')) : null;
  // The reader of stdout left (`| head`): stop as on SIGTERM, so the other outputs still get flushed.
  const unwatchStdout = stdStreamGuard()?.onStdoutGone(() => stop('stdout was closed by its reader'));
  return {
    signal: controller.signal,
    get reason() {
      return reason;
    },
    requested,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      stdinWatch?.disarm();
      unwatchStdout?.();
    },
  };
}
