import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Namespace, NamespacePair } from '../../support/netns.js';
import { captureWhile } from '../run/replay/capture.js';
import { runPeng } from '../support/run-peng.js';

/** What the attribution tests read of a `-json` window. */
export interface Scan {
  source: string;
  direction: string;
  reason: string;
  kinds: string[];
  detectedAt: string;
  new?: boolean;
}
export interface Window {
  start: string;
  end: string;
  scans?: Scan[];
  scanners?: { server: number; client: number };
  probes?: { server: Record<string, number>; client: Record<string, number> };
}

export function parseWindows(stdout: string): Window[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Window);
}

/** Captures the target's veth while `traffic` runs, then replays it with 1 s windows; every kernel drop fails. */
export async function captureAndReplay(pair: NamespacePair, dir: string, name: string, local: readonly string[], traffic: () => Promise<unknown>): Promise<Window[]> {
  const file = join(dir, `${name}.pcap`);
  const stats = await captureWhile(pair, pair.target, file, async () => {
    await traffic();
  });
  assert.equal(stats.droppedByKernel, 0, 'tcpdump dropped packets');
  const r = runPeng(['replay', file, '-json', '-verbose', '0', '-timeFrame', '1s', '-localAddresses', local.join(',')], { timeoutMs: 30_000 });
  assert.equal(r.code, 0, r.stderr);
  return parseWindows(r.stdout);
}

/** Probes sent to the watched side in a window (every kind a scanner sends, none of the replies). */
function serverProbes(w: Window): number {
  const p = w.probes?.server ?? {};
  return (p.syn ?? 0) + (p.fin ?? 0) + (p.null ?? 0) + (p.xmas ?? 0) + (p.maimon ?? 0) + (p.ack ?? 0) + (p.udp ?? 0) + (p.icmpEcho ?? 0);
}

/**
 * The scanner is the only source named, first in the window where its probes reached `enough` (or earlier),
 * with detectedAt inside the window that first lists it: no window of delay. Where the target answers,
 * TRW's failures (4 more closed than open) usually come before the port count does.
 */
export function assertNamedInTime(windows: Window[], scanner: Namespace | string, enough: number, reasons: readonly string[]): Scan {
  const source = typeof scanner === 'string' ? scanner : scanner.ipv4;
  const names = new Set(windows.flatMap((w) => (w.scans ?? []).map((s) => `${s.source} ${s.direction}`)));
  assert.deepEqual([...names], [`${source} server`], 'the scanner and nobody else, probing the watched side');
  const first = windows.findIndex((w) => (w.scans ?? []).length > 0);
  let sum = 0;
  const sufficient = windows.findIndex((w) => (sum += serverProbes(w)) >= enough);
  assert.ok(sufficient >= 0, `only ${sum} probes in the capture, fewer than ${enough}`);
  assert.ok(first <= sufficient, `named in window ${first}, its ${enough}th probe was in window ${sufficient}`);
  const scan = windows[first]!.scans![0]!;
  assert.equal(scan.new, true);
  const at = Date.parse(scan.detectedAt);
  assert.ok(at < Date.parse(windows[first]!.end) && at >= Math.floor(Date.parse(windows[first]!.start) / 1000) * 1000, `detected ${scan.detectedAt}, window ${windows[first]!.start}`);
  assert.ok(reasons.includes(scan.reason), `named for ${scan.reason}, expected one of ${reasons.join(', ')}`);
  return scan;
}

export function assertNobodyNamed(windows: Window[]): void {
  assert.ok(windows.length > 0);
  assert.deepEqual(windows.flatMap((w) => (w.scans ?? []).map((s) => `${s.source} ${s.reason}`)), []);
  for (const w of windows) assert.deepEqual(w.scanners, { server: 0, client: 0 });
}
