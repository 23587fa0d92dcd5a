import { join } from 'node:path';
import { buildRoot } from '../../../support/paths.js';
import { sleep, type Background, type Namespace, type NamespacePair } from '../../../support/netns.js';
import type { CaptureRequest, CaptureResult } from './live-capture-child.js';

/** Live tests need root (namespaces, raw sockets). In CI a missing root is a failure, not a skip. */
export const liveSkip: string | false = process.getuid?.() === 0 || process.env.CI ? false : 'needs root (network namespaces and packet capture)';

export const childScript = join(buildRoot, 'test', 'sources', 'live', 'live-capture-child.js');

/** Starts the capture helper inside `ns` and waits until its capture is open. */
export async function startCapture(pair: NamespacePair, ns: Namespace, request: CaptureRequest): Promise<{ bg: Background; ready: ReadyInfo }> {
  const bg = pair.spawn(ns, 'env', ['PENG_LIVE_CHILD=1', process.execPath, childScript, 'capture', JSON.stringify(request)]);
  await bg.waitFor(/^(READY|ERROR) /m, 15_000);
  const error = /^ERROR (.*)$/m.exec(bg.stdout);
  if (error) throw new Error(`capture did not open: ${error[1]}`);
  return { bg, ready: JSON.parse(/^READY (.*)$/m.exec(bg.stdout)![1]!) as ReadyInfo };
}

export interface ReadyInfo {
  linkType: number;
  filter: string;
  uid: number;
  dropped: unknown;
}

/** Waits until the helper has seen at least `n` frames (bounded), then lets stragglers arrive. */
export async function waitForFrames(bg: Background, n: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = [...bg.stdout.matchAll(/^COUNT (\d+)$/gm)];
    const last = counts.length > 0 ? Number(counts[counts.length - 1]![1]) : 0;
    if (last >= n) break;
    if (!bg.running) throw new Error(`capture exited early: ${bg.stderr.trim()}`);
    if (Date.now() > deadline) throw new Error(`saw ${last} of ${n} frames within ${timeoutMs} ms`);
    await sleep(20);
  }
  await sleep(150);
}

/** Stops the helper (SIGTERM) and returns what it counted. */
export async function stopCapture(bg: Background): Promise<CaptureResult> {
  await bg.stop('SIGTERM', 5_000);
  const line = /^RESULT (.*)$/m.exec(bg.stdout);
  if (!line) throw new Error(`capture printed no result: ${bg.stderr.trim()}`);
  return JSON.parse(line[1]!) as CaptureResult;
}

/** Injects frames on `ns`'s veth end through libpcap (pcap_sendpacket). */
export async function sendFrames(pair: NamespacePair, ns: Namespace, frames: readonly Uint8Array[]): Promise<void> {
  const hex = frames.map((f) => Buffer.from(f).toString('hex'));
  const bg = pair.spawn(ns, 'env', ['PENG_LIVE_CHILD=1', process.execPath, childScript, 'send', ns.ifName, ...hex]);
  const { code } = await bg.wait(15_000);
  if (code !== 0) throw new Error(`frame sender failed (${code}): ${bg.stderr.trim()}`);
}
