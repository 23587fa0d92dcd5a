import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { repoRoot } from '../support/paths.js';

const CONFIG = join(repoRoot, 'src', 'config');
// config sits low in the layers: it may use the engine's limits and net's address parsing, nothing that runs.
const ALLOWED_ROOMS = ['src/config', 'src/engine', 'src/net'];
const ALLOWED_PACKAGES = ['convict', 'yaml'];

/** Every module a TypeScript file imports, statically or with import()/require(). */
function importsOf(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)'([^']+)'/gm)].map((match) => match[1]!);
}

test('src/config imports only src/engine, src/net, itself, Node built-ins, convict and yaml', () => {
  const files = readdirSync(CONFIG).filter((name) => name.endsWith('.ts'));
  assert.ok(files.length > 5, `found the config sources in ${CONFIG}`);
  for (const file of files) {
    const specifiers = importsOf(readFileSync(join(CONFIG, file), 'utf8'));
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) {
        const room = relative(repoRoot, resolve(CONFIG, specifier)).split('/').slice(0, 2).join('/');
        assert.ok(ALLOWED_ROOMS.includes(room), `src/config/${file} imports ${specifier} (${room}); config may import only ${ALLOWED_ROOMS.join(', ')}`);
      } else {
        assert.ok(specifier.startsWith('node:') || ALLOWED_PACKAGES.includes(specifier), `src/config/${file} imports the package ${specifier}`);
      }
    }
  }
});

test('the import scanner sees static, dynamic and require imports', () => {
  const text = "import a from '../run/x.js';\nimport type { B } from './b.js';\nconst c = require('yaml') as typeof import('yaml');\nimport './side.js';\n";
  assert.deepEqual(importsOf(text), ['../run/x.js', './b.js', 'yaml', 'yaml', './side.js']);
});
