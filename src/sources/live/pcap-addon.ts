import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Words per frame in the meta array a batch fills: caplen, wire length, seconds, nanoseconds. */
export const META_WORDS = 4;

/** The codes native/pcap.c puts on the errors it throws. */
export type PcapErrorCode = 'ENODEV' | 'EPERM' | 'ENETDOWN' | 'EFILTER' | 'EOPEN' | 'EPOLL' | 'ESTATS' | 'EINJECT' | 'ECLOSED';

/** libpcap's counters: unsigned 32-bit, wrapping; `oversized` is the addon's own (frames larger than the buffer). */
export interface PcapStats {
  received: number;
  dropped: number;
  ifDropped: number;
  oversized: number;
}

/** One open libpcap handle (native/pcap.c). Every method but close() throws on a closed handle. */
export interface PcapHandle {
  /** DLT_* of the device (pcap_datalink). */
  readonly linkType: number;
  /** The snapshot length libpcap settled on. */
  readonly snaplen: number;
  /** Timestamps are in nanoseconds (else the kernel gave microseconds, scaled by the addon). */
  readonly nanoseconds: boolean;
  /**
   * Starts delivery: on each wake-up up to one batch of frames is copied back to back into `frames`, with
   * caplen, wire length, seconds and nanoseconds in `meta[4 i ..]`, then `onBatch(count)` runs once.
   * A read error stops polling and calls `onError`; `resume()` polls again.
   */
  start(frames: Buffer, meta: Uint32Array, onBatch: (count: number) => void, onError: (message: string, code: string) => void): void;
  resume(): void;
  setFilter(filter: string): void;
  stats(): PcapStats;
  inject(frame: Buffer): number;
  /** Idempotent; safe inside onBatch and onError. */
  close(): void;
}

/** One pcap_findalldevs entry; `flags` holds PCAP_IF_* bits. */
export interface PcapDevice {
  name: string;
  description: string;
  flags: number;
}

export const PCAP_IF_LOOPBACK = 0x1;
export const PCAP_IF_UP = 0x2;
export const PCAP_IF_RUNNING = 0x4;

export interface PcapAddon {
  open(device: string, snaplen: number, bufferBytes: number, timeoutMs: number, filter: string | null): PcapHandle;
  devices(): PcapDevice[];
  libVersion(): string;
}

let loaded: PcapAddon | undefined;

/**
 * Loads build/Release/peng_pcap.node (from the package root above dist/src/sources/live/ or dist/bundle/) on first use, so
 * commands that never capture do not need libpcap. PENG_PCAP_ADDON names another build (the sanitizer
 * tests load theirs that way).
 */
export function loadPcap(): PcapAddon {
  if (loaded !== undefined) return loaded;
  let root = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(root, 'package.json')) && dirname(root) !== root) root = dirname(root);
  const path = process.env.PENG_PCAP_ADDON || join(root, 'build', 'Release', 'peng_pcap.node');
  try {
    loaded = createRequire(import.meta.url)(path) as PcapAddon;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    throw new Error(`cannot load the capture addon ${path} (${reason}); install libpcap-dev and rebuild with "npm rebuild peng"`);
  }
  return loaded;
}
