import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from '../support/paths.js';

/**
 * The rooms of src/ and what each may import (besides itself and Node's built-ins). Rooms low in the list
 * know nothing of those above them; `run/` is the only room that knows every part. ARCHITECTURE.md draws it.
 */
const ROOMS: Record<string, readonly string[]> = {
  'src/engine': [],
  'src/packets': [],
  'src/net': [],
  'src/report': [],
  'src/log.ts': ['src/redact-url.ts'],
  'src/version.ts': [],
  'src/redact-url.ts': [],
  'src/system-program.ts': [],
  'src/attribution': ['src/packets', 'src/report'],
  'src/windows': ['src/packets'],
  'src/detector': ['src/engine', 'src/packets', 'src/net', 'src/report'],
  'src/sources/capture-file': ['src/packets'],
  'src/sources/host': ['src/packets', 'src/sources/live/pcap-addon.ts', 'src/system-program.ts'],
  'src/sources/live': ['src/packets', 'src/sources/host'],
  'src/sinks': ['src/report', 'src/log.ts', 'src/version.ts', 'src/redact-url.ts'],
  'src/config': ['src/engine', 'src/net', 'src/redact-url.ts', 'src/attribution/params.ts', 'src/packets/probe-set.ts'],
  'src/run': ['src/attribution', 'src/config', 'src/detector', 'src/engine', 'src/net', 'src/packets', 'src/report', 'src/sinks', 'src/sources', 'src/windows', 'src/log.ts', 'src/version.ts', 'src/redact-url.ts', 'src/system-program.ts'],
  'src/cli.ts': ['src/config', 'src/run', 'src/log.ts', 'src/version.ts'],
  'src/bin': ['src/cli.ts', 'src/run'],
  'src/index.ts': ['src'],
};

/** Packages each room may use; everything else reaches them through the room that owns the dependency. */
const PACKAGES: Record<string, readonly string[]> = {
  'src/config': ['convict', 'yaml'],
  'src/sinks': ['@influxdata/influxdb-client', '@opentelemetry/', '@grpc/grpc-js'],
};

/** Longest source file: past this a file holds more than one job. */
const MAX_LINES = 300;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Every module a TypeScript file imports, statically or with import()/require(). */
export function importsOf(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)'([^']+)'/gm)].map((match) => match[1]!);
}

/** The most specific room a repository path belongs to. */
function roomOf(path: string): string {
  let best = '';
  for (const room of Object.keys(ROOMS)) if ((path === room || path.startsWith(room + '/')) && room.length > best.length) best = room;
  return best;
}

const within = (path: string, rooms: readonly string[]): boolean => rooms.some((r) => path === r || path.startsWith(r + '/'));

const files = sourceFiles(join(repoRoot, 'src')).map((f) => relative(repoRoot, f));

test('every import in src/ follows the layering: no edge points up or sideways', () => {
  assert.ok(files.length > 40, `found the sources (${files.length})`);
  const broken: string[] = [];
  for (const file of files) {
    const room = roomOf(file);
    assert.notEqual(room, '', `${file} belongs to no room: add it to ROOMS with what it may import`);
    for (const specifier of importsOf(readFileSync(join(repoRoot, file), 'utf8'))) {
      if (specifier.startsWith('.')) {
        const target = relative(repoRoot, resolve(repoRoot, dirname(file), specifier)).replace(/\.js$/, '.ts');
        if (roomOf(target) !== room && !within(target, ROOMS[room]!)) broken.push(`${file} imports ${target}`);
      } else if (!specifier.startsWith('node:') && room !== 'src/index.ts') {
        const allowed = Object.entries(PACKAGES).filter(([r]) => within(file, [r])).flatMap(([, p]) => p);
        if (!allowed.some((p) => specifier === p || (p.endsWith('/') && specifier.startsWith(p)))) broken.push(`${file} imports the package ${specifier}`);
      }
    }
  }
  assert.deepEqual(broken, []);
});

test(`no source file is longer than ${MAX_LINES} lines`, () => {
  const long = files.map((f) => [f, readFileSync(join(repoRoot, f), 'utf8').split('\n').length] as const).filter(([, n]) => n > MAX_LINES);
  assert.deepEqual(long, []);
});

test('src/index.ts only re-exports', () => {
  const statements = readFileSync(join(repoRoot, 'src', 'index.ts'), 'utf8')
    .split(/;\s*\n/)
    .map((s) => s.replace(/^\s*\/\/.*$/gm, '').trim())
    .filter((s) => s !== '');
  assert.deepEqual(statements.filter((s) => !/^export\s/.test(s) || !/\sfrom\s'/.test(s)), []);
});

test('the import scanner sees static, dynamic and require imports, and the room rules catch a wrong edge', () => {
  const text = "import a from '../run/x.js';\nimport type { B } from './b.js';\nconst c = require('yaml') as typeof import('yaml');\nimport './side.js';\n";
  assert.deepEqual(importsOf(text), ['../run/x.js', './b.js', 'yaml', 'yaml', './side.js']);
  assert.equal(roomOf('src/sources/live/live-capture.ts'), 'src/sources/live');
  assert.equal(within('src/config/schema.ts', ROOMS['src/sinks']!), false);
});
