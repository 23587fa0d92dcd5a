import type { ProbeRecord } from '../packets/probe-record.js';
import { mix32 } from './sketch.js';

/** An address set (LocalAddresses fits): sources or destinations whose probes are not evidence. */
export interface AddressMatcher {
  isLocal4(address: number): boolean;
  isLocal6(words: Uint32Array): boolean;
}

export interface ScanTableOptions {
  /** Sources remembered; fixed at start. */
  maxSources?: number;
  /** Scanners listed per window report; the rest are counted. */
  maxScansPerWindow?: number;
  /** Probes from these sources are not evidence (one's own vulnerability scanners); they are counted. */
  ignoreSources?: AddressMatcher | null;
  /** Probes to these destinations are not evidence (busy public services); they are counted. */
  ignoreDestinations?: AddressMatcher | null;
  /** Formats a source's four key words as address text (net/ip-text, injected to keep this room small). */
  formatSource: (family: 4 | 6, words: Uint32Array) => string;
}

/** Totals over the table's life, for the self-metrics. */
export interface ScanTableStats {
  sources: number;
  capacity: number;
  evictions: number;
  /** Probes from newcomers a full table did not take (seen less often than the entry they would replace). */
  notAdmitted: number;
  suppressed: number;
  detections: number;
  bytes: number;
}

/** Whether the record's source (`source` true) or destination is in the set. */
export function matches(set: AddressMatcher, r: ProbeRecord, source: boolean): boolean {
  if (r.family === 4) return set.isLocal4(source ? r.src4 : r.dst4);
  return set.isLocal6(source ? r.src6 : r.dst6);
}

/** A UDP exchange's key in the peers filter: the far host, its port and the asking port (answers must match all three). */
export function exchange(farHost: number, farPort: number, nearPort: number): number {
  return mix32(farHost ^ Math.imul(farPort + 1, 0x9e3779b1) ^ Math.imul(nearPort + 1, 0x85ebca6b));
}
