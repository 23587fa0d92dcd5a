#!/usr/bin/env node
/**
 * Runs the compiled tests (after `tsc`) by explicit file paths: `node --test dist/test/` only works on Node 20,
 * Node 22+ takes a directory argument for a module name. Test files are listed from the TypeScript sources,
 * so a compiled test whose source was moved or deleted (dist/ is never cleaned) is not run.
 *
 *   node scripts/run-tests.mjs            the whole suite, one file at a time (needs root, namespaces, servers)
 *   node scripts/run-tests.mjs --unit     the unit tier: every file not listed in test/system-tier.txt
 *   node scripts/run-tests.mjs --list     print the files instead of running them (with --unit: the unit tier)
 *   ... test/sinks/ test/log.test.ts       only files under these source paths
 *   ... --test-name-pattern=entropy       any --test* option is handed to node --test
 *
 * Tiers are a manifest rather than a marker comment in each file: tiering then never edits test files, and
 * every entry must name an existing test, so a moved or renamed system test fails here loudly instead of
 * silently falling into the unit tier.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const manifestPath = join(root, 'test', 'system-tier.txt');
const toPosix = (path) => path.split(sep).join('/');

/** Every `*.test.ts` under test/, as repository-relative POSIX paths, sorted for a stable order. */
function sourceTests(dir = join(root, 'test')) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...sourceTests(path));
    else if (entry.name.endsWith('.test.ts')) found.push(toPosix(relative(root, path)));
  }
  return found.sort();
}

/** The manifest's paths: one per line, `#` starts a comment (the reason the file needs the system tier). */
function systemTier(sources) {
  const listed = readFileSync(manifestPath, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '');
  const missing = listed.filter((path) => !sources.includes(path));
  if (missing.length > 0) {
    fail(`test/system-tier.txt names tests that do not exist (moved or renamed? update the manifest): ${missing.join(', ')}`);
  }
  return new Set(listed);
}

function fail(message) {
  process.stderr.write(`run-tests: ${message}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const unit = args.includes('--unit');
const listOnly = args.includes('--list');
const nodeOptions = args.filter((a) => a.startsWith('--test'));
const prefixes = args.filter((a) => !a.startsWith('--')).map((a) => toPosix(a).replace(/^\.\//, ''));

const sources = sourceTests();
const system = systemTier(sources);
const selected = sources
  .filter((path) => !unit || !system.has(path))
  .filter((path) => prefixes.length === 0 || prefixes.some((p) => path.startsWith(p)));
if (selected.length === 0) fail(`no test files match ${prefixes.join(' ')}`);

const compiled = selected.map((path) => join('dist', path.replace(/\.ts$/, '.js')));
const stale = compiled.filter((path) => !existsSync(join(root, path)));
if (stale.length > 0) fail(`not compiled (run tsc -p tsconfig.json first): ${stale.join(', ')}`);

if (listOnly) {
  process.stdout.write(selected.join('\n') + '\n');
  process.exit(0);
}

// The full suite runs one file at a time: its tests share network namespaces, ports and real servers.
// Unit files share nothing, and several mostly wait on timers, so they run side by side.
const concurrency = unit ? Math.max(2, availableParallelism()) : 1;
const result = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...nodeOptions, ...compiled], { cwd: root, stdio: 'inherit' });
if (result.error) fail(result.error.message);
process.exit(result.status ?? 1);
