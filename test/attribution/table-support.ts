import { ScanTable, type ScanTableOptions } from '../../src/attribution/scan-table.js';
import { formatIPv4, formatIPv6 } from '../../src/net/ip-text.js';
import { ipv4ToInt, ipv6ToWords } from '../../src/net/local-addresses.js';
import { createProbeRecord, ProbeKind, type ProbeRecord } from '../../src/packets/probe-record.js';
import type { Direction } from '../../src/report/window-report.js';

/** A table as the pipeline builds it (same address formatting), with the test's options. */
export function table(options: Omit<ScanTableOptions, 'formatSource'> = {}): ScanTable {
  return new ScanTable({ ...options, formatSource: (family, words) => (family === 4 ? formatIPv4(words[3]!) : formatIPv6(words)) });
}

/**
 * Feeds a table the way the detector does: one reused record, filled per probe. Addresses are text or, for
 * IPv4 in bulk loops, numbers (no string per packet).
 */
export class Feeder {
  readonly record: ProbeRecord = createProbeRecord();
  constructor(readonly t: ScanTable) {}

  v4(kind: ProbeKind, src: string | number, dst: string | number, dstPort: number, seconds: number, direction: Direction = 'server', srcPort = 40000): void {
    const r = this.record;
    r.family = 4;
    r.src4 = typeof src === 'number' ? src >>> 0 : ipv4ToInt(src);
    r.dst4 = typeof dst === 'number' ? dst >>> 0 : ipv4ToInt(dst);
    r.srcPort = srcPort;
    r.dstPort = dstPort;
    this.t.observe(kind, direction, r, seconds);
  }

  v6(kind: ProbeKind, src: string, dst: string, dstPort: number, seconds: number, direction: Direction = 'server', srcPort = 40000): void {
    const r = this.record;
    r.family = 6;
    r.src6.set(ipv6ToWords(src));
    r.dst6.set(ipv6ToWords(dst));
    r.srcPort = srcPort;
    r.dstPort = dstPort;
    this.t.observe(kind, direction, r, seconds);
  }

  /** A reply from the probed host `from`:`fromPort` back to the prober `to` (direction: the prober's side). */
  reply(kind: ProbeKind, from: string, fromPort: number, to: string, seconds: number): void {
    this.v4(kind, from, to, 40000, seconds, 'client', fromPort);
  }
}
