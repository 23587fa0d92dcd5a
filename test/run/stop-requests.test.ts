import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildRoot } from '../../support/paths.js';

const moduleUrl = pathToFileURL(join(buildRoot, 'src', 'run', 'stop-requests.js')).href;
const logUrl = pathToFileURL(join(buildRoot, 'src', 'log.js')).href;

/** A child that watches stop requests with stdin a pipe, then spends 600 ms "flushing" before it says it finished. */
const CHILD = `
const { watchStopRequests } = await import(${JSON.stringify(moduleUrl)});
const { createLogger } = await import(${JSON.stringify(logUrl)});
const stop = watchStopRequests({ stdin: true, log: createLogger(), onStopMessage: 'flushing' });
process.stdout.write('ready\\n');
const reason = await stop.requested;
await new Promise((r) => setTimeout(r, 600));
process.stdout.write('finished after ' + reason + '\\n');
stop.dispose();
process.exit(0);
`;

function run(signals: NodeJS.Signals[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      if (s.includes('ready')) {
        child.stdin.end(); // Telegraf's execd: stdin closes first...
        setTimeout(() => signals.forEach((signal, i) => setTimeout(() => child.kill(signal), 100 * i)), 100); // ...then its SIGTERM
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

test('Telegraf\'s stop (stdin closes, then SIGTERM) lets the run finish: the SIGTERM is not a second request', async () => {
  const result = await run(['SIGTERM']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /finished after stdin closed/);
  assert.match(result.stderr, /SIGTERM after stdin closed: still finishing/);
});

test('a further signal after that exits at once', async () => {
  const result = await run(['SIGTERM', 'SIGTERM']);
  assert.equal(result.code, 1, result.stderr);
  assert.doesNotMatch(result.stdout, /finished/);
});
