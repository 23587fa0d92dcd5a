import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { referenceRuns, type ReferenceRun, type ReferenceWindow } from '../../reference/reference.js';
import { createNamespacePair, ownNamespaces, run, sweepStaleNamespaces, type Namespace, type NamespacePair } from '../../../support/netns.js';
import { captureWhile } from './capture.js';
import { assertSameWindows, pengBuilt, pengReplay } from './peng-replay.js';

/**
 * Real scanners against a namespace of our own, captured with tcpdump, then replayed by Peng and by the
 * independent Python reference: every window must agree. Needs root, nmap, hping3, masscan, tcpdump, tshark.
 */

const GOLDEN_1024_4500 = 0.43590558771;
/** The seed's total entropy when `bitsSet[b]` bits of bin b are set (16 bins of 64 bits). */
function seedEntropy(bitsSet: number[]): number {
  let sum = 0;
  for (const k of bitsSet) {
    const p1 = k / 64;
    const p0 = 1 - p1;
    const h = p1 === 0 || p0 === 0 ? 0 : -(p1 * Math.log2(p1) + p0 * Math.log2(p0));
    sum += p1 > p0 ? 2 - h : h;
  }
  return sum / 16;
}
/** A whole scan fits in one window of this length; the short one splits every capture into many windows. */
const WHOLE = '1m';
const SPLIT = '100ms';
const NMAP_BOUNDS = ['-n', '-Pn', '-T4', '--max-retries', '1', '--host-timeout', '60s'];
const LISTENING_PORT = 4000;
/** Bounds each scenario: capture, scan, two readers, several replays. */
const LIMIT = { timeout: 120_000 };

let pair: NamespacePair;
let dir: string;
let counter = 0;

before(async () => {
  await sweepStaleNamespaces();
  dir = mkdtempSync(join(tmpdir(), 'peng-scanners-'));
  pair = await createNamespacePair();
  // One open port, so the captures also hold SYN-ACKs and the scanner's RSTs, which must not count.
  const listener = pair.spawn(pair.target, process.execPath, [
    '-e',
    `require('node:net').createServer((s) => s.destroy()).listen(${LISTENING_PORT}, '::', () => console.log('listening'))`,
  ]);
  await listener.waitFor(/listening/, 10_000);
});

after(async () => {
  await pair?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function targetAddresses(ns: Namespace): string[] {
  return [ns.ipv4, ns.ipv6];
}

/** Captures on `watched` while `scan` runs, with a sanity check that tcpdump kept every packet. */
async function capture(watched: Namespace, scan: () => Promise<unknown>, filter: string[] = []): Promise<string> {
  const file = join(dir, `scan-${++counter}.pcap`);
  const stats = await captureWhile(
    pair,
    watched,
    file,
    async () => {
      await scan();
    },
    filter,
  );
  assert.equal(stats.droppedByKernel, 0, 'tcpdump dropped packets; the capture is incomplete');
  assert.ok(stats.captured > 0, 'nothing captured');
  return file;
}

/** Peng against the reference on one file, for each time frame and local-address choice. */
async function comparePeng(t: TestContext, file: string, runs: readonly ReferenceRun[], reference: ReferenceWindow[][]): Promise<void> {
  await t.test('peng replay gives the reference numbers in every window', { skip: !pengBuilt && 'peng CLI not built yet' }, async () => {
    for (const [i, options] of runs.entries()) {
      const label = `-timeFrame ${options.timeFrame} ${options.local ? '-localAddresses ' + options.local.join(',') : '(no local addresses)'}`;
      assertSameWindows(await pengReplay(file, options), reference[i]!, label);
    }
  });
}

/** The reference's windows for each run; the first run must hold the whole scan in one window. */
async function readBoth(file: string, runs: readonly ReferenceRun[]): Promise<{ whole: ReferenceWindow; all: ReferenceWindow[][] }> {
  const all = await referenceRuns(file, runs);
  assert.equal(all[0]!.length, 1, `expected the whole scan in one window, got ${all[0]!.length}`);
  return { whole: all[0]![0]!, all };
}

function assertClose(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-9, `${what}: ${actual}, expected ${expected}`);
}

test('nmap -sS -p 1024-4500 gives the golden server entropy 0.43590558771', LIMIT, async (t) => {
  let report = '';
  const file = await capture(pair.target, async () => {
    report = (await run(pair.scanner, 'nmap', ['-sS', ...NMAP_BOUNDS, '-p', '1024-4500', pair.target.ipv4], { timeoutMs: 90_000 })).stdout;
  });
  assert.match(report, new RegExp(`${LISTENING_PORT}/tcp\\s+open`), 'the SYN-ACK of the open port is in the capture, and must not count');
  const local = targetAddresses(pair.target);
  const runs = [{ timeFrame: WHOLE, local }, { timeFrame: SPLIT, local }, { timeFrame: WHOLE }];
  const { whole: w, all } = await readBoth(file, runs);
  assertClose(w.server_entropy, GOLDEN_1024_4500, 'server entropy');
  // nmap may retransmit a port; the bitmap absorbs repeats, the SYN count shows them.
  assert.ok(w.server_syns >= 3477, `server SYNs ${w.server_syns} < 3477 ports`);
  assert.equal(w.client_syns, 0);
  await comparePeng(t, file, runs, all);
});

test('nmap -sS -p- fills the server bitmap (entropy >= 1.99)', LIMIT, async (t) => {
  // The target's 65535 RSTs are left out of this capture only to halve its size; the others keep them.
  const file = await capture(pair.target, () => run(pair.scanner, 'nmap', ['-sS', ...NMAP_BOUNDS, '-p-', pair.target.ipv4], { timeoutMs: 90_000 }), [
    'not (tcp[tcpflags] & tcp-rst != 0)',
  ]);
  const local = targetAddresses(pair.target);
  const runs = [{ timeFrame: WHOLE, local }, { timeFrame: SPLIT, local }];
  const { whole: w, all } = await readBoth(file, runs);
  assert.ok(w.server_entropy >= 1.99, `server entropy ${w.server_entropy}`);
  assert.ok(w.server_syns >= 65535, `server SYNs ${w.server_syns} < 65535 ports`);
  assert.equal(w.client_entropy, 0);
  await comparePeng(t, file, runs, all);
});

test('an hping3 SYN flood on one port stays near 0', LIMIT, async (t) => {
  const count = 300;
  const file = await capture(pair.target, () =>
    run(pair.scanner, 'hping3', ['-q', '-S', '-p', '80', '-c', String(count), '-i', 'u1000', pair.target.ipv4], { timeoutMs: 30_000, check: false }),
  );
  const local = targetAddresses(pair.target);
  const runs = [{ timeFrame: WHOLE, local }, { timeFrame: SPLIT, local }];
  const { whole: w, all } = await readBoth(file, runs);
  assert.equal(w.server_syns, count);
  assertClose(w.server_entropy, seedEntropy([1]), 'one port sets one bit');
  assert.ok(w.server_entropy < 0.01);
  await comparePeng(t, file, runs, all);
});

test('masscan at a bounded rate is seen', LIMIT, async (t) => {
  const p = pair;
  const file = await capture(p.target, async () => {
    const args = ['-p', '1-5000', '--rate', '20000', '--wait', '0', '--adapter', p.scanner.ifName, '--adapter-ip', p.scanner.ipv4, '--router-mac', p.target.mac, p.target.ipv4];
    const masscan = p.spawn(p.scanner, 'masscan', args);
    // "waiting N-secs" appears once every probe is sent; masscan then idles for seconds on its receive thread.
    await masscan.waitFor(/waiting -?\d+-secs/, 30_000);
    await masscan.stop('SIGKILL');
  });
  const local = targetAddresses(p.target);
  const runs = [{ timeFrame: WHOLE, local }, { timeFrame: SPLIT, local }];
  const { whole: w, all } = await readBoth(file, runs);
  assert.ok(w.server_syns >= 5000, `server SYNs ${w.server_syns} < 5000 ports`);
  // Ports 1..5000 hash to positions 0..312: bins 0-3 full, 57 bits of bin 4.
  assertClose(w.server_entropy, seedEntropy([64, 64, 64, 64, 57]), 'server entropy');
  await comparePeng(t, file, runs, all);
});

test('an IPv6 nmap scan counts like an IPv4 one', LIMIT, async (t) => {
  const file = await capture(pair.target, () => run(pair.scanner, 'nmap', ['-6', '-sS', ...NMAP_BOUNDS, '-p', '1024-4500', pair.target.ipv6], { timeoutMs: 90_000 }));
  const local = targetAddresses(pair.target);
  const runs = [{ timeFrame: WHOLE, local }, { timeFrame: SPLIT, local }, { timeFrame: WHOLE, local: [pair.target.ipv4] }];
  const { whole: w, all } = await readBoth(file, runs);
  assertClose(w.server_entropy, GOLDEN_1024_4500, 'server entropy');
  assert.ok(w.server_syns >= 3477);
  assert.equal(w.client_syns, 0);
  assert.equal(all[2]![0]!.server_syns, 0, 'the IPv6 scan must be told apart by its IPv6 address');
  await comparePeng(t, file, runs, all);
});

test('an outbound scan from the watched namespace moves client, not server', LIMIT, async (t) => {
  const file = await capture(pair.target, () => run(pair.target, 'nmap', ['-sS', ...NMAP_BOUNDS, '-p', '1024-4500', pair.scanner.ipv4], { timeoutMs: 90_000 }));
  const local = targetAddresses(pair.target);
  const runs = [{ timeFrame: WHOLE, local }, { timeFrame: SPLIT, local }, { timeFrame: WHOLE }];
  const { whole: w, all } = await readBoth(file, runs);
  assertClose(w.client_entropy, GOLDEN_1024_4500, 'client entropy');
  assert.equal(w.server_syns, 0);
  assert.equal(w.server_entropy, 0);
  // Without local addresses a replay counts every SYN as server traffic.
  assertClose(all[2]![0]!.server_entropy, GOLDEN_1024_4500, 'server entropy without local addresses');
  await comparePeng(t, file, runs, all);
});

test('the namespaces are removed afterwards', LIMIT, async () => {
  await pair.destroy();
  assert.deepEqual(await ownNamespaces(), []);
});
