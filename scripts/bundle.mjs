#!/usr/bin/env node
/**
 * Bundles the compiled CLI (dist/src/bin/peng.js, after `tsc`) for a fast start; package.json's bin names
 * the result. The library entry point (dist/src/index.js) stays unbundled.
 *
 *   dist/bundle/peng-main.cjs        every project module and the start-up packages (convict) in one file
 *   dist/bundle/peng-main.cjs.cache  V8's code cache for it, made by a replay run here at build time
 *   dist/bundle/peng.cjs             the launcher (scripts/bundle-launcher.cjs): compiles the bundle with the cache
 *
 * One CommonJS file rather than ES module chunks: each module esbuild wraps is evaluated on first use, so
 * a sink that is off costs only its share of the parse, and CommonJS skips the ES loader's per-module work
 * (about 15 ms less than split ES chunks for a replay). The heavy, rarely used packages (OpenTelemetry,
 * gRPC, YAML) stay external: only the code of a sink that is on requires them, from node_modules, and
 * gRPC and protobufjs look up files at run time in ways a bundle would break.
 *
 *   node scripts/bundle.mjs [outDir]     outDir defaults to dist (the bundle goes to outDir/bundle)
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outDir = resolve(root, process.argv[2] ?? 'dist');
const bundleDir = join(outDir, 'bundle');
const mainFile = join(bundleDir, 'peng-main.cjs');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Packages left to node_modules: only sinks that are off by default load them. */
const EXTERNAL = ['@opentelemetry/*', '@grpc/*', 'protobufjs', 'protobufjs/*', 'yaml', '@influxdata/*'];

// A stale file from an earlier build would ship in the package: start from an empty folder.
rmSync(bundleDir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: [join(outDir, 'src', 'bin', 'peng.js')],
  outfile: mainFile,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  // The launcher runs the bundle as a vm.Script, which has no import(): dynamic imports become require().
  supported: { 'dynamic-import': false },
  alias: {
    // convict requires yargs-parser at load but is never given arguments to parse (see the stub).
    'yargs-parser': join(root, 'scripts', 'bundle-stubs', 'yargs-parser.cjs'),
  },
  define: {
    // src/version.ts takes this instead of reading package.json at every start.
    __PENG_VERSION__: JSON.stringify(version),
    // Modules find the package root (addons, package.json) by walking up from their URL: the bundle's serves.
    'import.meta.url': '__pengModuleUrl',
  },
  // The sources are ES modules, strict throughout: the bundle keeps that (the directive opens the wrapper body).
  banner: { js: '"use strict";\nconst __pengModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
  legalComments: 'none',
  logLevel: 'warning',
});

// The launcher's wrapper puts the bundle inside a function: a hashbang line there is a syntax error.
let text = readFileSync(mainFile, 'utf8');
if (text.startsWith('#!')) text = text.slice(text.indexOf('\n') + 1);
if (/\bimport\(/.test(text)) throw new Error(`${mainFile} still has an import(), which a vm.Script cannot run`);
// esbuild leaves non-ASCII in regular expressions and comments; escaped, the launcher reads the file as
// latin1, a one-byte string with no UTF-8 decoding (1.5 ms less to read and compile). A \u escape means the
// same in a string, a template, a regular expression and a comment, but not in String.raw.
if (/\bString\.raw\b/.test(text) && /[^\x00-\x7f]/.test(text)) throw new Error(`${mainFile} has String.raw and non-ASCII text: the \\u escapes would change it`);
text = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
writeFileSync(mainFile, text);

const launcher = join(bundleDir, 'peng.cjs');
copyFileSync(join(root, 'scripts', 'bundle-launcher.cjs'), launcher);
chmodSync(launcher, 0o755);
writeCodeCache();

/**
 * Runs the bundle once (a replay of an empty capture, as the current user) and keeps V8's code cache of
 * everything that run compiled. Without it (no cache, or another Node version) the launcher compiles as usual.
 */
function writeCodeCache() {
  const dir = mkdtempSync(join(tmpdir(), 'peng-bundle-'));
  try {
    const capture = join(dir, 'empty.pcap');
    // A pcap global header and no packets: magic, version 2.4, zone, sigfigs, snaplen 65535, Ethernet.
    writeFileSync(capture, Buffer.from('d4c3b2a1020004000000000000000000ffff000001000000', 'hex'));
    const args = [join(root, 'scripts', 'bundle-cache.cjs'), launcher, 'replay', capture, '-json', '-verbose', '0', '-user', ''];
    // The builder's PENG_* settings would turn on outputs in this run, and NODE_OPTIONS' V8 flags would make users' runs reject the cache.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PENG_') && name !== 'NODE_OPTIONS'));
    const run = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000, env });
    if (run.status !== 0 || !existsSync(`${mainFile}.cache`)) {
      throw new Error(`the bundled CLI failed its build-time run (status ${run.status}): ${run.stderr || run.error?.message || ''}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
