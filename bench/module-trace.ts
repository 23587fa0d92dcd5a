import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

/**
 * Preload (`node --import module-trace.js`, with PENG_BENCH_TRACE=FILE): records every ES module resolved
 * and every CommonJS module required, one path or URL per line, for the start-up benchmark's package list.
 */

const file = process.env.PENG_BENCH_TRACE;
if (file !== undefined && file !== '') {
  register('./module-trace-hooks.js', { parentURL: import.meta.url, data: { file } });
  // CommonJS packages (convict and its dependencies) load through require, which the ESM hook never sees.
  const loader = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = loader._resolveFilename;
  loader._resolveFilename = function (request: string, ...rest: unknown[]): string {
    const resolved = original.call(this, request, ...rest);
    appendFileSync(file, resolved + '\n');
    return resolved;
  };
}
