import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { withNamespaces, sleep } from '../../support/netns.js';
import { pengBin } from '../../support/paths.js';
import { liveSkip } from '../sources/live/live-support.js';

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs live peng in `ns` with stdin as an open pipe (how Telegraf's execd runs it), then signals it. */
async function signalWhileStdinOpen(ns: string, ifName: string, signals: NodeJS.Signals[]): Promise<Exit> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, pengBin, '-network', ifName, '-timeFrame', '1s', '-json', '-verbose', '0'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
  try {
    const deadline = Date.now() + 10_000;
    while (!/watching/.test(stderr) && Date.now() < deadline) await sleep(20);
    assert.match(stderr, /watching/);
    await sleep(1200); // at least one full window
    const sent = Date.now();
    for (const signal of signals) {
      child.kill(signal);
      await sleep(5);
    }
    const { code, signal } = await exited;
    return { code, signal, stdout, stderr, ms: Date.now() - sent };
  } finally {
    clearTimeout(guard);
    child.stdin.end();
  }
}

test('SIGTERM ends a live run promptly with exit 0 even while stdin is an open pipe, flushing the partial window', { skip: liveSkip, timeout: 60_000 }, async () => {
  await withNamespaces(async (pair) => {
    const exit = await signalWhileStdinOpen(pair.target.name, pair.target.ifName, ['SIGTERM']);
    assert.equal(exit.code, 0, exit.stderr);
    // Prompt: no waiting for stdin to close, nor for the last-resort exit timer (2 s).
    assert.ok(exit.ms < 1_900, `exit took ${exit.ms} ms`);
    const windows = exit.stdout.trim().split('\n').map((l) => JSON.parse(l) as { partial?: boolean });
    assert.ok(windows.length >= 2);
    assert.equal(windows.at(-1)!.partial, true);
  });
});

test('a second signal while shutting down exits at once', { skip: liveSkip, timeout: 60_000 }, async () => {
  await withNamespaces(async (pair) => {
    const exit = await signalWhileStdinOpen(pair.target.name, pair.target.ifName, ['SIGINT', 'SIGINT']);
    assert.ok(exit.code === 0 || exit.code === 1, `exit ${exit.code} ${exit.signal}`);
    assert.ok(exit.ms < 5_000, `exit took ${exit.ms} ms`);
  });
});
