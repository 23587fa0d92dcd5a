import { fstatSync, type Stats } from 'node:fs';

/** What file descriptor 0 is connected to. */
export type StdinKind = 'pipe' | 'socket' | 'tty' | 'character device' | 'file' | 'other' | 'closed';

/** Classifies stdin from its fstat result; a TTY is a character device that isatty() recognises. */
export function classifyStdin(stats: Stats | null, isTTY: boolean): StdinKind {
  if (!stats) return 'closed';
  if (stats.isFIFO()) return 'pipe';
  if (stats.isSocket()) return 'socket';
  if (stats.isCharacterDevice()) return isTTY ? 'tty' : 'character device';
  if (stats.isFile()) return 'file';
  return 'other';
}

/** The kind of this process's stdin. */
export function stdinKind(): StdinKind {
  let stats: Stats | null = null;
  try {
    stats = fstatSync(0);
  } catch {
    stats = null; // fd 0 closed by the parent
  }
  return classifyStdin(stats, Boolean(process.stdin.isTTY));
}

export interface StdinWatch {
  /** True when stdin is a pipe or socket and its end is being watched. */
  readonly armed: boolean;
  readonly kind: StdinKind;
  /** Stops watching and lets stdin no longer hold the process open. */
  disarm(): void;
}

/**
 * Calls `onClose` once when stdin is a pipe (or a socket pair, which Node and other supervisors use)
 * and the other end closes it: Telegraf's `inputs.execd` closes stdin to stop the plugin. A TTY,
 * /dev/null (systemd's default) or a regular file never arms the watch, so their EOF does not end the
 * run. Anything written to stdin (Telegraf's `signal = "STDIN"` newlines) is read and ignored.
 */
export function watchStdinClose(onClose: () => void): StdinWatch {
  const kind = stdinKind();
  if (kind !== 'pipe' && kind !== 'socket') return { armed: false, kind, disarm() {} };

  const stdin = process.stdin;
  let done = false;
  let disarmed = false;
  const ignoreData = (): void => {};
  const finish = (): void => {
    if (done) return;
    done = true;
    disarm();
    onClose();
  };
  // A reset connection or a read error means the parent is gone just as surely as an orderly EOF.
  const onError = (): void => finish();
  function disarm(): void {
    if (disarmed) return;
    disarmed = true;
    stdin.off('data', ignoreData);
    stdin.off('end', finish);
    stdin.off('close', finish);
    stdin.off('error', onError);
    stdin.on('error', () => {}); // late errors after disarm must not become uncaught
    stdin.pause();
    (stdin as { unref?: () => void }).unref?.();
  }
  stdin.on('data', ignoreData);
  stdin.on('end', finish);
  stdin.on('close', finish);
  stdin.on('error', onError);
  stdin.resume();
  return {
    armed: true,
    kind,
    disarm() {
      done = true;
      disarm();
    },
  };
}
