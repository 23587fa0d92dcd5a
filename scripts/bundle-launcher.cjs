#!/usr/bin/env node
'use strict';
/**
 * The `peng` command (copied to dist/bundle/peng.cjs by scripts/bundle.mjs): compiles the bundled CLI,
 * peng-main.cjs, as Node compiles a CommonJS module, but with the V8 code cache made for it at build time:
 * compiling 400 KB of JavaScript is otherwise a third of Peng's start-up. V8 rejects a cache made by
 * another Node version or with other V8 flags, and the source then compiles as usual; of the source it checks
 * only the length, so whoever edits peng-main.cjs by hand must delete peng-main.cjs.cache (a build rewrites both).
 */
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

const MAIN = join(__dirname, 'peng-main.cjs');

/** The bundle as a vm.Script (Node's own CommonJS wrapper), with `cachedData` when given. */
function compileBundle(cachedData) {
  const source = readFileSync(MAIN, 'latin1'); // scripts/bundle.mjs escapes every non-ASCII character
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  return new Script(wrapped, cachedData === undefined ? { filename: MAIN } : { filename: MAIN, cachedData });
}

/** Runs the compiled bundle: the CLI reads process.argv and starts. */
function runBundle(script) {
  const bundleModule = { exports: {} };
  script.runInThisContext()(bundleModule.exports, createRequire(MAIN), bundleModule, MAIN, __dirname);
}

if (require.main === module) {
  let cachedData;
  try {
    cachedData = readFileSync(`${MAIN}.cache`);
  } catch {
    cachedData = undefined; // no cache (a build without one): compile from source
  }
  runBundle(compileBundle(cachedData));
} else {
  // scripts/bundle-cache.cjs: compiles and runs the bundle itself, then keeps the cache.
  module.exports = { MAIN, compileBundle, runBundle };
}
