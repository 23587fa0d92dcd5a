import type { ScanTableStats } from '../attribution/scan-table.js';
import type { DetectorTotals } from '../detector/detector.js';
import type { Logger } from '../log.js';
import type { SelfMetrics } from '../report/self-metrics.js';
import { PacketTimeWindows, type PacketTimeAnomalies } from '../windows/packet-time-windows.js';
import { WallClockWindows } from '../windows/wall-clock-windows.js';

/** Where a run's self-metrics come from; every part is read, never copied, so a snapshot is always current. */
export interface SelfMetricSources {
  detectors: readonly { readonly totals: DetectorTotals; readonly hashProblem: string | null }[];
  /** The scan tables, one per interface or file. */
  scanTables: readonly { getStats(): ScanTableStats }[];
  /** The window clock's anomaly counters (packet time or wall clock). */
  clock: PacketTimeAnomalies | WallClockWindows['anomalies'];
  /** Live captures' own counters; none in replay. */
  captures?: readonly { stats(): { consumerErrors: number; dropped?: number } }[];
  influxdbDroppedLines: () => number | undefined;
}

/** Reads the run's counters from the parts that keep them. */
export function selfMetricsOf(sources: SelfMetricSources): SelfMetrics {
  const total = { frames: 0, synPackets: 0, malformed: 0, unsupportedLink: 0, damaged: 0 };
  const malformedBy: Record<string, number> = {};
  const fragments: Record<string, number> = {};
  let hashProblem: string | null = null;
  for (const d of sources.detectors) {
    total.frames += d.totals.frames;
    total.synPackets += d.totals.synPackets;
    total.malformed += d.totals.malformed;
    total.unsupportedLink += d.totals.unsupportedLink;
    total.damaged += d.totals.damaged;
    for (const [reason, n] of Object.entries(d.totals.malformedBy)) malformedBy[reason] = (malformedBy[reason] ?? 0) + n;
    for (const [what, n] of Object.entries(d.totals.fragments)) fragments[what] = (fragments[what] ?? 0) + n;
    hashProblem ??= d.hashProblem;
  }
  let consumerErrors = 0;
  let dropped: number | undefined;
  for (const c of sources.captures ?? []) {
    const s = c.stats();
    consumerErrors += s.consumerErrors;
    if (s.dropped !== undefined) dropped = (dropped ?? 0) + s.dropped;
  }
  const scanTable = { sources: 0, capacity: 0, evictions: 0, suppressed: 0, detections: 0, bytes: 0 };
  for (const t of sources.scanTables) {
    const s = t.getStats();
    scanTable.sources += s.sources;
    scanTable.capacity += s.capacity;
    scanTable.evictions += s.evictions;
    scanTable.suppressed += s.suppressed;
    scanTable.detections += s.detections;
    scanTable.bytes += s.bytes;
  }
  const influx = sources.influxdbDroppedLines();
  return {
    ...total,
    malformedBy,
    fragments,
    scanTable,
    clockAnomalies: { ...sources.clock },
    hashProblem,
    captureConsumerErrors: consumerErrors,
    ...(dropped !== undefined ? { captureDropped: dropped } : {}),
    ...(influx !== undefined ? { influxdbDroppedLines: influx } : {}),
  };
}

/** What each clock anomaly means, said at exit when it happened. */
const CLOCK_ANOMALY_TEXT: Record<string, (n: number) => string> = {
  timeJumps: (n) => `${n} timestamp jumps of more than ${PacketTimeWindows.MAX_EMPTY_WINDOWS} windows (forward or back): the window clock restarted at the new time`,
  badTimestamps: (n) => `${n} frames had timestamps beyond any date; they were counted in the window at hand`,
  outOfOrder: (n) => `${n} frames were older than their window's start (reordered capture); counted in the current window`,
  gaps: (n) => `${n} runs of more than ${PacketTimeWindows.MAX_SEPARATE_EMPTY_WINDOWS} empty windows (frames far apart) were each reported as one gap record`,
  jumpsForward: (n) => `the wall clock jumped forward ${n} time(s) by more than ${WallClockWindows.MAX_MISSED_WINDOWS} windows: the windows restarted there`,
  stepsBack: (n) => `the wall clock stepped back ${n} time(s): the window in progress was closed as partial and restarted`,
  lateWindows: (n) => `${n} window boundaries passed while the event loop was busy; each was still closed as its own window`,
};

/**
 * The closing summary, the same for replay and live: the totals line at info (when `totalsOf` names what
 * was read; -verbose 0 passes null), anomalies and problems always.
 */
export function logSelfMetrics(log: Logger, m: SelfMetrics, totalsOf: string | null): void {
  const reasons = Object.entries(m.malformedBy).filter(([, n]) => n > 0).map(([reason, n]) => `${n} ${reason}`);
  const malformed = `${m.malformed} malformed${reasons.length > 0 ? ` (${reasons.join(', ')})` : ''}`;
  if (totalsOf !== null) log.info(`${m.frames} frames, ${m.synPackets} SYNs, ${malformed} from ${totalsOf}`);
  if (m.unsupportedLink > 0) log.warn(`${m.unsupportedLink} frames had a link type Peng does not decode; they were counted as malformed`);
  const t = m.scanTable;
  if (totalsOf !== null) {
    log.info(`scan table: ${t.detections} scanner(s) named; ${t.sources} of ${t.capacity} sources in use (${Math.round(t.bytes / 1024)} KiB), ${t.evictions} evicted, ${t.suppressed} probes ignored by -ignoreSources/-ignoreDestinations`);
  }
  const f = m.fragments;
  if ((f.overlaps ?? 0) + (f.evicted ?? 0) + (f.expired ?? 0) > 0) {
    log.warn(`IP fragments: ${f.overlaps ?? 0} overlapping, ${f.evicted ?? 0} datagrams pushed out of the full table, ${f.expired ?? 0} never completed (evasion or a flood of fragments)`);
  } else if ((f.fragments ?? 0) > 0 && totalsOf !== null) {
    log.info(`IP fragments: ${f.fragments} seen, ${f.classified} completed a transport header`);
  }
  if (m.damaged > 0) log.info(`${m.damaged} probes were counted although a header was damaged where nothing they need was (TCP options past the payload)`);
  for (const [name, count] of Object.entries(m.clockAnomalies)) {
    if (count === 0) continue;
    const level = name === 'outOfOrder' || name === 'lateWindows' || name === 'gaps' ? 'info' : 'warn'; // expected in sparse or merged captures, or under load
    log[level](CLOCK_ANOMALY_TEXT[name]?.(count) ?? `${name}: ${count}`);
  }
  if (m.hashProblem !== null) log.error(`the port hash returned an invalid position (${m.hashProblem}); those ports were not counted`);
  if (m.captureConsumerErrors > 0) log.error(`${m.captureConsumerErrors} frames failed to process; this is a bug, please report it`);
  if (m.captureDropped !== undefined && m.captureDropped > 0) log.warn(`the capture dropped ${m.captureDropped} frames before Peng saw them`);
}
