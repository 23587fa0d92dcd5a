// Shared dev tooling (support/): used by both test/ and bench/, shipped by neither.
import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A pair of network namespaces joined by a veth pair, for tests that send real traffic (scanners,
 * floods) without touching the host's interfaces. Needs root and iproute2.
 */

/** Every namespace this harness creates is named `<prefix>-<pid>-<counter>-<side>`. */
export const NETNS_PREFIX = 'peng-t';
const OWN_NAME = new RegExp(`^${NETNS_PREFIX}-(\\d+)-(\\d+)-[ab]$`);

export interface Namespace {
  readonly name: string;
  /** The veth end inside this namespace (same name on both sides: each lives in its own namespace). */
  readonly ifName: string;
  readonly ipv4: string;
  readonly ipv6: string;
  readonly mac: string;
}

export interface NamespacePair {
  /** Side `a`, x.1: where scanners usually run. */
  readonly scanner: Namespace;
  /** Side `b`, x.2: the watched host. */
  readonly target: Namespace;
  /** Starts a long-running command inside a namespace; `destroy()` kills it if still running. */
  spawn(ns: Namespace, cmd: string, args: readonly string[]): Background;
  /** Kills what runs inside both namespaces and deletes them; safe to call twice. */
  destroy(): Promise<void>;
}

export interface RunOptions {
  /** Kill the command (SIGKILL) after this long; default 30 s. */
  timeoutMs?: number;
  /** Reject on a non-zero exit; default true. */
  check?: boolean;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

let counter = 0;

/** Runs a command (inside `ns` when given) to completion, bounded by a timeout. */
export function run(ns: Namespace | string | null, cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const check = options.check ?? true;
  const [file, argv] = inNamespace(ns, cmd, args);
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${describe(file, argv)}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code, signal, stdout, stderr, timedOut };
      if (check && (timedOut || code !== 0)) {
        const why = timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${code ?? signal}`;
        reject(new Error(`${describe(file, argv)} ${why}: ${stderr.trim().slice(-2000)}`));
      } else {
        resolve(result);
      }
    });
  });
}

/** A command running in the background, with its output collected. */
export class Background {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private done = false;

  constructor(ns: Namespace | string | null, cmd: string, args: readonly string[]) {
    const [file, argv] = inNamespace(ns, cmd, args);
    this.child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (s: string) => (this.stdout += s));
    this.child.stderr!.setEncoding('utf8').on('data', (s: string) => (this.stderr += s));
    this.exited = new Promise((resolve) => {
      this.child.on('error', (err) => {
        this.stderr += `cannot start ${describe(file, argv)}: ${err.message}\n`;
        this.done = true;
        resolve({ code: null, signal: null });
      });
      this.child.on('close', (code, signal) => {
        this.done = true;
        resolve({ code, signal });
      });
    });
  }

  get running(): boolean {
    return !this.done;
  }

  /** Resolves once stdout or stderr matches `pattern`; rejects on exit or after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.stderr) && !pattern.test(this.stdout)) {
      if (this.done) throw new Error(`process exited before printing ${pattern}: ${this.stderr.trim()}`);
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms: ${this.stderr.trim()}`);
      await sleep(20);
    }
  }

  /** Sends `signal`, waits for the exit, escalates to SIGKILL after `timeoutMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 5_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.done) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits for a natural exit, killing the process after `timeoutMs`. */
  async wait(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean }> {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.child.kill('SIGKILL');
    }, timeoutMs);
    try {
      return { ...(await this.exited), timedOut };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Creates two fresh namespaces joined by a veth pair, with IPv4 and IPv6 ready to use at once. */
export async function createNamespacePair(): Promise<NamespacePair> {
  const n = ++counter;
  const base = `${NETNS_PREFIX}-${process.pid}-${n}`;
  // Addresses exist only inside the namespaces, so concurrent pairs may share them; x only aids reading.
  const x = ((process.pid + n) % 250) + 1;
  const a = { name: `${base}-a`, ifName: 'veth0', ipv4: `10.200.${x}.1`, ipv6: `fd00:200:${x.toString(16)}::1`, mac: '02:00:0a:c8:00:01' };
  const b = { name: `${base}-b`, ifName: 'veth0', ipv4: `10.200.${x}.2`, ipv6: `fd00:200:${x.toString(16)}::2`, mac: '02:00:0a:c8:00:02' };
  const children: Background[] = [];
  let destroyed = false;
  const pair: NamespacePair = {
    scanner: a,
    target: b,
    spawn(ns, cmd, args) {
      const bg = new Background(ns, cmd, args);
      children.push(bg);
      return bg;
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      for (const bg of children) if (bg.running) await bg.stop('SIGKILL', 2_000);
      await deleteNamespace(a.name);
      await deleteNamespace(b.name);
    },
  };
  try {
    await ip(['netns', 'add', a.name]);
    await ip(['netns', 'add', b.name]);
    for (const ns of [a, b]) {
      // DAD off before the veth exists, so link-local and global IPv6 addresses are usable at once.
      await run(ns.name, 'sysctl', ['-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);
    }
    await ip(['link', 'add', a.ifName, 'netns', a.name, 'address', a.mac, 'type', 'veth', 'peer', 'name', b.ifName, 'netns', b.name, 'address', b.mac]);
    for (const ns of [a, b]) {
      await ip(['-n', ns.name, 'link', 'set', 'lo', 'up']);
      await ip(['-n', ns.name, 'addr', 'add', `${ns.ipv4}/24`, 'dev', ns.ifName]);
      await ip(['-n', ns.name, '-6', 'addr', 'add', `${ns.ipv6}/64`, 'dev', ns.ifName, 'nodad']);
      await ip(['-n', ns.name, 'link', 'set', ns.ifName, 'up']);
    }
    await waitForLink(a, b);
  } catch (err) {
    await pair.destroy();
    throw err;
  }
  return pair;
}

/** Runs `fn` with a fresh namespace pair and always removes the pair afterwards. */
export async function withNamespaces<T>(fn: (pair: NamespacePair) => Promise<T>): Promise<T> {
  await sweepStaleNamespaces();
  const pair = await createNamespacePair();
  try {
    return await fn(pair);
  } finally {
    await pair.destroy();
  }
}

/** Names of every namespace on the host made by this harness. */
export async function harnessNamespaces(): Promise<string[]> {
  const { stdout } = await ip(['netns', 'list']);
  return stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => OWN_NAME.test(name));
}

/** Namespaces this process created and has not yet deleted. */
export async function ownNamespaces(): Promise<string[]> {
  return (await harnessNamespaces()).filter((name) => OWN_NAME.exec(name)?.[1] === String(process.pid));
}

/** Deletes namespaces left by earlier runs that crashed; a namespace whose creator still runs is kept. */
export async function sweepStaleNamespaces(): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await harnessNamespaces()) {
    const pid = Number(OWN_NAME.exec(name)?.[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    await deleteNamespace(name);
    removed.push(name);
  }
  return removed;
}

async function deleteNamespace(name: string): Promise<void> {
  // A process left inside keeps the namespace (and its veth) alive after `ip netns del`.
  const pids = await ip(['netns', 'pids', name], false);
  for (const pid of pids.stdout.split('\n').map(Number).filter((p) => p > 0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await ip(['netns', 'del', name], false);
}

/** Waits until both veth ends report carrier, so the first probe is not lost. */
async function waitForLink(a: Namespace, b: Namespace): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const states = await Promise.all([a, b].map((ns) => ip(['-n', ns.name, '-o', 'link', 'show', ns.ifName])));
    if (states.every((s) => /state UP/.test(s.stdout))) return;
    if (Date.now() > deadline) throw new Error(`veth pair ${a.name}/${b.name} did not come up: ${states.map((s) => s.stdout.trim()).join(' | ')}`);
    await sleep(20);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ip(args: readonly string[], check = true): Promise<RunResult> {
  return run(null, 'ip', args, { timeoutMs: 10_000, check });
}

function inNamespace(ns: Namespace | string | null, cmd: string, args: readonly string[]): [string, string[]] {
  if (ns === null) return [cmd, [...args]];
  return ['ip', ['netns', 'exec', typeof ns === 'string' ? ns : ns.name, cmd, ...args]];
}

function describe(file: string, argv: readonly string[]): string {
  return [file, ...argv].join(' ').slice(0, 200);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
