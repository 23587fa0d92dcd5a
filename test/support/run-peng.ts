import { spawnSync } from 'node:child_process';
import { pengBin } from './paths.js';

export interface PengRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the compiled CLI to completion with a time bound; the environment is cleared of PENG_* settings. */
export function runPeng(args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {}): PengRun {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PENG_') && !k.startsWith('OTEL_')) env[k] = v;
  const result = spawnSync(process.execPath, [pengBin, ...args], {
    env: { ...env, ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
