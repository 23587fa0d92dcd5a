import type { Direction } from './window-report.js';

/** Which evidence made a source a scanner (the first rule it met). */
export type ScanReason = 'vertical' | 'horizontal' | 'mixed' | 'stealth' | 'failures';

/** One scanner active in a window: who, against whom, how, since when. */
export interface ScanReport {
  /** The scanning source's address. */
  source: string;
  /** server: it probes this host (or the local networks); client: a local host probes others. */
  direction: Direction;
  reason: ScanReason;
  /** Probe kinds seen from it since first seen (syn, fin, null, xmas, maimon, ack, udp, icmpEcho). */
  kinds: string[];
  /** Its probes in this window. */
  probes: number;
  /** Distinct destination ports and hosts probed since first seen (estimates, exact for small numbers). */
  ports: number;
  hosts: number;
  firstSeen: Date;
  lastSeen: Date;
  detectedAt: Date;
  /** Present in the first window that reports it. */
  new?: true;
}

/** What scan attribution adds to a window report. */
export interface WindowScans {
  /** Scanners active in the window, most evidence first, at most the configured number. */
  scans: ScanReport[];
  /** Active scanners beyond that number. */
  scansOmitted: number;
  /** Scanners active in the previous window and quiet in this one (at most the same number). */
  scansEnded: ScanReport[];
  /** Active scanners by direction, omitted ones included: a bounded number for gauges. */
  scanners: { server: number; client: number };
}
