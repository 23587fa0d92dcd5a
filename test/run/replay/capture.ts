import { statSync } from 'node:fs';
import type { Namespace, NamespacePair } from '../../../support/netns.js';
import { sleep } from '../../../support/netns.js';

export interface CaptureStats {
  file: string;
  captured: number;
  droppedByKernel: number;
}

/**
 * Records `ns`'s veth with tcpdump (headers only: snaplen 96) while `action` runs, and stops only once
 * the file has stopped growing, so packets still in the ring when the action ends are kept. `filter` is
 * an optional tcpdump (BPF) expression.
 */
export async function captureWhile(
  pair: NamespacePair,
  ns: Namespace,
  file: string,
  action: () => Promise<void>,
  filter: readonly string[] = [],
): Promise<CaptureStats> {
  const args = ['-i', ns.ifName, '-n', '-s', '96', '-U', '--immediate-mode', '-Z', 'root', '-w', file, ...filter];
  const tcpdump = pair.spawn(ns, 'tcpdump', args);
  try {
    await tcpdump.waitFor(/listening on/, 10_000);
    await action();
    await waitUntilStable(file, 300, 5_000);
  } finally {
    await tcpdump.stop('SIGINT', 5_000);
  }
  const captured = /(\d+) packets? captured/.exec(tcpdump.stderr);
  const dropped = /(\d+) packets? dropped by kernel/.exec(tcpdump.stderr);
  if (!captured || !dropped) throw new Error(`tcpdump did not report its counts: ${tcpdump.stderr.trim()}`);
  return { file, captured: Number(captured[1]), droppedByKernel: Number(dropped[1]) };
}

/** Resolves once `file`'s size has not changed for `quietMs`, or after `limitMs`. */
async function waitUntilStable(file: string, quietMs: number, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  let size = -1;
  let since = Date.now();
  while (Date.now() < deadline) {
    const now = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    if (now !== size) {
      size = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return;
    }
    await sleep(50);
  }
}
