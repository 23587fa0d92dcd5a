import { spawnSync } from 'node:child_process';
import { pengBin } from '../../support/paths.js';

export interface PengRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** This process's environment without PENG_* and OTEL_* settings, so a test's own flags decide. */
export function pengTestEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PENG_') && !k.startsWith('OTEL_')) env[k] = v;
  return env;
}

/** Runs the compiled CLI to completion with a time bound; the environment is cleared of PENG_* settings. */
export function runPeng(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string; /** A descriptor for stdout (e.g. /dev/full) instead of a pipe. */ stdoutFd?: number; stderrFd?: number } = {},
): PengRun {
  const env = pengTestEnv();
  const result = spawnSync(process.execPath, [pengBin, ...args], {
    env: { ...env, ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    stdio: ['ignore', options.stdoutFd ?? 'pipe', options.stderrFd ?? 'pipe'],
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}
