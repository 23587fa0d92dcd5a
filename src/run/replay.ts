import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { PengConfig } from '../config/peng-config.js';
import { resolveProbeSets } from '../packets/probe-set.js';
import { readCaptureFile, type CaptureFileSummary } from '../sources/capture-file/capture-file.js';
import { PacketTimeWindows } from '../windows/packet-time-windows.js';
import { openOutputs } from './outputs.js';
import { configuredLocalAddresses, createAnalysis } from './pipeline.js';
import { dropPrivilegesAsConfigured } from './privileges.js';
import { logSelfMetrics, selfMetricsOf, type SelfMetricSources } from './self-metrics.js';
import type { RunStdio } from './stdio.js';
import { watchStopRequests } from './stop-requests.js';

/** Exit status of a replay whose input was damaged and read only up to the damage (documented in the README). */
export const EXIT_REPLAY_INCOMPLETE = 3;

/**
 * `peng replay FILE...` with several files or a directory: rotated captures replayed as one stream (see
 * readCaptureSet), through one window clock. A member damaged in the middle is reported and the rest still
 * replayed; the replay then exits with 3 as well, since windows lack what the damaged member held.
 */
export async function runReplaySet(paths: readonly string[], config: PengConfig, stdio: RunStdio): Promise<number> {
  const { log } = stdio;
  const { readCaptureSet } = await import('../sources/capture-file/capture-set.js');
  let sources: SelfMetricSources | null = null;
  const outputs = await openOutputs(config, stdio, { mode: 'replay', selfMetrics: () => selfMetricsOf(sources!) });
  const local = configuredLocalAddresses(config);
  const { detector, scans } = createAnalysis(config, basename(paths[0]!), local, outputs, resolveProbeSets(config.probes, 'replay'));
  const windows = new PacketTimeWindows(detector, config.timeFrame * 1000, { align: config.alignWindows });
  sources = { detectors: [detector], scanTables: [scans], clock: windows.anomalies, influxdbDroppedLines: outputs.influxdbDroppedLines };
  const stop = watchStopRequests({ stdin: false, log, onStopMessage: 'stopping the replay; the window in progress is reported as partial' });
  const name = paths.length === 1 ? paths[0]! : `${paths.length} paths`;
  let summary;
  let lost: number;
  try {
    summary = await readCaptureSet(paths, windows, {
      onProblem: (message) => log.warn(message),
      onSkipped: (message) => log.warn(message),
      signal: stop.signal,
      onOpen: () => dropPrivilegesAsConfigured(config, log, 'debug'),
    });
    windows.finish(summary.interrupted || summary.lastCutShort);
  } finally {
    lost = await outputs.close();
    stop.dispose();
  }
  if (local === null && summary.frames > 0) {
    log.warn('no -localAddresses given: every SYN in the capture was counted as server traffic (someone probing us)');
  }
  log.debug(`replay order: ${summary.order.join(' ')}`);
  logSelfMetrics(log, selfMetricsOf(sources), config.verbose >= 1 ? `${summary.order.length} captures of ${name} in ${outputs.windows} windows` : null);
  if (summary.interrupted) {
    log.error(`replay of ${name} interrupted after ${summary.frames} frames; the windows so far were reported`);
    return 1;
  }
  const damaged = summary.damagedFiles.length;
  if (damaged > 0) {
    const skippedWhole = summary.damagedFiles.filter((f) => !summary.order.includes(f)).length;
    log.error(`replay of ${name} incomplete: ${damaged} of ${summary.order.length + skippedWhole} captures not read to their end (damage, said above); every other capture was replayed`);
  }
  if (lost > 0) return 1;
  return damaged > 0 ? EXIT_REPLAY_INCOMPLETE : 0;
}

/** A set of rotated captures (several paths, or a directory) rather than one capture file or pipe. */
export function isCaptureSet(paths: readonly string[]): boolean {
  if (paths.length !== 1) return true;
  try {
    return statSync(paths[0]!).isDirectory();
  } catch {
    return false; // the single-file path says what is wrong with it
  }
}

/**
 * `peng replay FILE`: windows follow packet time from the first frame, every window (empty ones included)
 * goes to the outputs, and the last one is reported at end of file. Resolves to the exit code: 1 when
 * interrupted or when an output lost data, else 3 when damage stopped reading before the end of the input.
 */
export async function runReplay(file: string, config: PengConfig, stdio: RunStdio): Promise<number> {
  const { log } = stdio;
  let sources: SelfMetricSources | null = null;
  const outputs = await openOutputs(config, stdio, { mode: 'replay', selfMetrics: () => selfMetricsOf(sources!) });
  const local = configuredLocalAddresses(config);
  const { detector, scans } = createAnalysis(config, basename(file), local, outputs, resolveProbeSets(config.probes, 'replay'));
  const windows = new PacketTimeWindows(detector, config.timeFrame * 1000, { align: config.alignWindows });
  sources = { detectors: [detector], scanTables: [scans], clock: windows.anomalies, influxdbDroppedLines: outputs.influxdbDroppedLines };
  const stop = watchStopRequests({ stdin: false, log, onStopMessage: 'stopping the replay; the window in progress is reported as partial' });
  let summary: CaptureFileSummary;
  let lost: number;
  try {
    summary = await readCaptureFile(file, windows, {
      onProblem: (message) => log.warn(`${file}: ${message}`),
      signal: stop.signal,
      // Untrusted captures (and gzip) are parsed as -user, not root: outputs and input are open by now.
      onOpen: () => dropPrivilegesAsConfigured(config, log, 'debug'),
    });
    windows.finish(summary.interrupted || summary.stoppedEarly !== null); // the window at the cut lacks what came after it
  } finally {
    lost = await outputs.close();
    stop.dispose();
  }
  if (local === null && summary.frames > 0) {
    log.warn('no -localAddresses given: every SYN in the capture was counted as server traffic (someone probing us)');
  }
  logSelfMetrics(log, selfMetricsOf(sources), config.verbose >= 1 ? `${file} in ${outputs.windows} windows` : null);
  if (summary.interrupted) {
    log.error(`replay of ${file} interrupted after ${summary.frames} frames; the windows so far were reported`);
    return 1;
  }
  if (summary.stoppedEarly !== null) {
    log.error(`replay of ${file} incomplete: reading stopped at the ${summary.stoppedEarly} after ${summary.frames} frames; the windows before it were reported`);
  }
  if (lost > 0) return 1;
  return summary.stoppedEarly !== null ? EXIT_REPLAY_INCOMPLETE : 0;
}
