// Shared dev tooling (support/): used by both test/ and bench/, shipped by neither.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this compiled file wherever the build put it. */
export const repoRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'peng') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
})();

/** The compiled tree the running test or benchmark belongs to (dist/ or a private build folder). */
export const buildRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'src')) || !existsSync(join(dir, 'test'))) dir = dirname(dir);
  return dir;
})();

/** Path of the `peng` executable of the running build: the bundle (scripts/bundle.mjs) that package.json's bin names. */
export const pengBin: string = join(buildRoot, 'bundle', 'peng.cjs');
