import { spawn, type ChildProcess } from 'node:child_process';

/** A server binary started by a test: bounded start-up, bounded stop, killed when the test process exits. */
export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  /** True until the process has exited. */
  readonly running: boolean;
  /** Everything it wrote to stdout and stderr (the last 64 KiB), for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: readonly string[];
  /** Resolves true once the server answers; polled until `timeoutMs`. */
  ready: () => Promise<boolean>;
  timeoutMs?: number;
  cwd?: string;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A failed or interrupted test must not leave servers behind.
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

const MAX_OUTPUT = 64 * 1024;

/** Starts `command` and waits (bounded) until `ready()` says it serves; rejects with its output otherwise. */
export async function startServerProcess(options: StartOptions): Promise<ServerProcess> {
  installExitHook();
  const child = spawn(options.command, options.args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: options.cwd });
  live.add(child);
  let output = '';
  const keep = (chunk: string): void => {
    output = (output + chunk).slice(-MAX_OUTPUT);
  };
  child.stdout!.setEncoding('utf8').on('data', keep);
  child.stderr!.setEncoding('utf8').on('data', keep);
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      live.delete(child);
      resolve();
    });
    child.once('error', (error) => {
      keep(`\n${error.message}\n`);
      exited = true;
      live.delete(child);
      resolve();
    });
  });

  const stop = async (graceMs = 10_000): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exitPromise;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    if (exited) throw new Error(`${options.name} exited during start-up:\n${output}`);
    if (await options.ready().catch(() => false)) break;
    if (Date.now() > deadline) {
      await stop(2_000);
      throw new Error(`${options.name} did not become ready within ${options.timeoutMs ?? 20_000} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    name: options.name,
    pid: child.pid ?? -1,
    get running() {
      return !exited;
    },
    output: () => output,
    stop,
  };
}

/** GET `url`; true when the status is `status` (default 2xx). Bounded by a 2 s timeout. */
export async function answers(url: string, status?: number): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await response.arrayBuffer();
  return status === undefined ? response.ok : response.status === status;
}
