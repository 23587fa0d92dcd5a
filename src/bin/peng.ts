#!/usr/bin/env node
import { main } from '../cli.js';

// The reader of stdout went away (`peng ... | head`, Telegraf stopped): say so once and stop, like SIGPIPE would.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') {
    process.stderr.write('peng: stdout was closed by its reader; exiting\n');
    process.exit(1);
  }
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Every output is flushed by now; a native handle (libpcap's poll watcher) must not keep the process up.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (err: unknown) => {
    process.stderr.write(`peng: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
