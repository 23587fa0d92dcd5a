'use strict';
/**
 * Build step (scripts/bundle.mjs): `node scripts/bundle-cache.cjs LAUNCHER ARGS...` runs the bundled CLI
 * with ARGS through LAUNCHER's own compile, and at exit writes V8's code cache of all it compiled next to
 * the bundle. Kept out of the launcher, so the installed command never writes a cache file.
 */
const { writeFileSync } = require('node:fs');
const { resolve } = require('node:path');

const launcherPath = resolve(process.argv[2]);
const launcher = require(launcherPath);
process.argv = [process.argv[0], launcherPath, ...process.argv.slice(3)];
const script = launcher.compileBundle(undefined);
process.on('exit', () => writeFileSync(`${launcher.MAIN}.cache`, script.createCachedData()));
launcher.runBundle(script);
