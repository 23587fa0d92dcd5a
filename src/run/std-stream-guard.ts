import type { Logger } from '../log.js';

/** The reader of stdout went away (`peng … | head`, Telegraf stopped). */
function isReaderGone(error: NodeJS.ErrnoException): boolean {
  return error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED';
}

/**
 * stdout and stderr as outputs that may fail like any other (full disk, EIO, /dev/full, a reader gone):
 * their errors never crash the run, each failure is said once on the other stream, a failed stderr is not
 * written again, and the exit status says a failure even when nothing could say it.
 */
export class StdStreamGuard {
  private stdoutError: Error | null = null;
  private stderrError: Error | null = null;
  private readonly stdoutGoneListeners = new Set<() => void>();
  private say: (message: string) => void = (message) => this.writeStderr(`peng: ${message}\n`);

  constructor(
    stdout: NodeJS.EventEmitter,
    private readonly stderr: NodeJS.WritableStream,
  ) {
    stdout.on('error', (error: NodeJS.ErrnoException) => this.stdoutFailed(error));
    // Nothing can say a stderr failure (stdout may carry data): it shows in the exit status only.
    stderr.on('error', (error: Error) => (this.stderrError ??= error));
  }

  /** Says failures through the run's logger (Telegraf's prefixes under -lineProtocol). */
  useLogger(log: Logger): void {
    this.say = (message) => log.error(message);
  }

  /** Writes to stderr unless it failed before: a failed stream is not retried. */
  writeStderr(text: string): void {
    if (this.stderrError === null) this.stderr.write(text);
  }

  /** Calls `listener` when stdout's reader goes away (at once if it has); returns the unsubscribe. */
  onStdoutGone(listener: () => void): () => void {
    if (this.stdoutError && isReaderGone(this.stdoutError)) {
      listener();
      return () => {};
    }
    this.stdoutGoneListeners.add(listener);
    return () => this.stdoutGoneListeners.delete(listener);
  }

  /** Whether stdout or stderr lost something. */
  get failed(): boolean {
    return this.stdoutError !== null || this.stderrError !== null;
  }

  /** The run's exit code, 1 at least when stdout or stderr failed. */
  exitCode(code: number): number {
    return code === 0 && this.failed ? 1 : code;
  }

  private stdoutFailed(error: NodeJS.ErrnoException): void {
    if (this.stdoutError) return;
    this.stdoutError = error;
    if (!isReaderGone(error)) {
      this.say(`cannot write to stdout (${error.message}); what peng writes there is counted as lost while the other outputs go on — free space on its disk or send stdout elsewhere`);
    } else if (this.stdoutGoneListeners.size === 0) {
      this.say('stdout was closed by its reader; what peng still writes there is lost');
    } else {
      for (const listener of this.stdoutGoneListeners) listener();
    }
  }
}

let installed: StdStreamGuard | null = null;

/** Guards process.stdout and process.stderr; once per process, before anything is written. */
export function guardStdStreams(): StdStreamGuard {
  installed ??= new StdStreamGuard(process.stdout, process.stderr);
  return installed;
}

/** The process's guard, or null when none was installed (library use, tests of single parts). */
export function stdStreamGuard(): StdStreamGuard | null {
  return installed;
}
