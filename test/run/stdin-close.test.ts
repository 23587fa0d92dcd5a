import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fstatSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { classifyStdin } from '../../src/run/stdin-close.js';
import { buildRoot } from '../../support/paths.js';

const moduleUrl = pathToFileURL(join(buildRoot, 'src', 'run', 'stdin-close.js')).href;

// The child reports what it saw; a 1.5 s timer stands for "the run goes on" when stdin must not end it.
const child = `
import { watchStdinClose } from ${JSON.stringify(moduleUrl)};
const watch = watchStdinClose(() => { console.log('closed'); process.exit(0); });
console.log('kind=' + watch.kind + ' armed=' + watch.armed);
setTimeout(() => { console.log('still running'); process.exit(0); }, 1500);
`;

interface ChildResult {
  stdout: string;
  code: number | null;
}

/** Runs `sh -c <shell>` where the shell text ends by exec'ing the child; bounded by 10 s. */
function runChild(shell: string, feed?: (stdin: NodeJS.WritableStream) => void): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn('sh', ['-c', shell], {
      stdio: [feed ? 'pipe' : 'ignore', 'pipe', 'inherit'],
      env: { ...process.env, PENG_CHILD: child },
    });
    let stdout = '';
    proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    proc.on('error', reject);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ stdout, code });
    });
    if (feed) feed(proc.stdin!);
  });
}

const node = `exec "${process.execPath}" --input-type=module -e "$PENG_CHILD"`;

test('a real pipe that closes ends the run (Telegraf execd closing stdin)', async () => {
  const result = await runChild(`(echo tick; sleep 0.2) | ${node}`);
  assert.equal(result.code, 0);
  assert.equal(result.stdout, 'kind=pipe armed=true\nclosed\n');
});

test('a socket pair from a Node parent is watched too, and data on it is ignored', async () => {
  const result = await runChild(node, (stdin) => {
    stdin.write('\n\n'); // Telegraf's signal = "STDIN" sends newlines: they must not stop anything
    setTimeout(() => stdin.end(), 300);
  });
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^kind=(socket|pipe) armed=true\nclosed\n$/);
});

test('/dev/null (systemd) does not arm the watch: its EOF must not end the run', async () => {
  const result = await runChild(`${node} < /dev/null`);
  assert.equal(result.code, 0);
  assert.equal(result.stdout, 'kind=character device armed=false\nstill running\n');
});

test('a regular file on stdin does not arm the watch', async () => {
  const result = await runChild(`${node} < "${join(buildRoot, 'src', 'run', 'stdin-close.js')}"`);
  assert.equal(result.stdout, 'kind=file armed=false\nstill running\n');
});

test('a closed stdin is not watched (Node reopens fd 0 as /dev/null at start-up)', async () => {
  const result = await runChild(`${node} <&-`);
  assert.match(result.stdout, /^kind=(closed|character device) armed=false\nstill running\n$/);
});

test('a terminal is a character device that isatty() recognises; it is never watched', () => {
  const fd = openSync('/dev/null', 'r');
  try {
    const stats = fstatSync(fd);
    assert.equal(classifyStdin(stats, true), 'tty');
    assert.equal(classifyStdin(stats, false), 'character device');
    assert.equal(classifyStdin(null, false), 'closed');
  } finally {
    closeSync(fd);
  }
});
