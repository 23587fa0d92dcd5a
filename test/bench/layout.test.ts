import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../support/paths.js';

/** Relative module specifiers of a TypeScript source (static imports, re-exports and dynamic imports). */
function relativeImports(source: string): string[] {
  return [...source.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Imports of the `.ts` files under `folder` that resolve into one of `forbidden`, as `file -> target` lines. */
function importsInto(folder: string, forbidden: readonly string[]): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(join(repoRoot, folder))) {
    for (const specifier of relativeImports(readFileSync(file, 'utf8'))) {
      const target = relative(repoRoot, resolve(dirname(file), specifier));
      if (forbidden.some((f) => target === f || target.startsWith(f + '/'))) found.push(`${relative(repoRoot, file)} -> ${target}`);
    }
  }
  return found;
}

test('the import scan sees a forbidden import when there is one', () => {
  assert.deepEqual(relativeImports(`import { a } from '../test/support/x.js';\nconst m = await import('./y.js');`), ['../test/support/x.js', './y.js']);
});

test('bench/ does not import test/: what both need lives in support/', () => {
  assert.deepEqual(importsInto('bench', ['test']), []);
});

test('support/ depends on neither test/ nor bench/', () => {
  assert.deepEqual(importsInto('support', ['test', 'bench']), []);
});
