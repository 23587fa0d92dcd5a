#!/usr/bin/env node
import { main } from '../cli.js';
import { guardStdStreams } from '../run/std-stream-guard.js';

// stdout and stderr are outputs that may fail (full disk, a reader gone): counted and said, never a crash.
const streams = guardStdStreams();
// A stream may fail after main resolved (the last lines in a pipe): the exit status still says it.
process.on('exit', (code) => {
  process.exitCode = streams.exitCode(code);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Every output is flushed by now; a native handle (libpcap's poll watcher) must not keep the process up.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (err: unknown) => {
    streams.writeStderr(`peng: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
