import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Set by scripts/bundle.mjs (esbuild define): the bundled CLI need not read package.json at start-up. */
declare const __PENG_VERSION__: string | undefined;

/** Peng's version from its package.json, found upward from this file (works from src, dist or a build folder). */
export const PENG_VERSION: string = typeof __PENG_VERSION__ === 'string' ? __PENG_VERSION__ : readPengVersion();

function readPengVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 8; depth++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
        if (pkg.name === 'peng' && typeof pkg.version === 'string') return pkg.version;
      } catch {
        // An unreadable package.json further down is not ours; keep walking up.
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return '0.0.0-unknown';
}
