import { basename } from 'node:path';
import type { PengConfig } from '../config/peng-config.js';
import { Detector } from '../detector/detector.js';
import { LocalAddresses } from '../net/local-addresses.js';
import type { Logger } from '../log.js';
import type { Outputs } from './outputs.js';
import { readCaptureFile, type CaptureFileSummary } from '../sources/capture-file/capture-file.js';

export interface ReplayResult {
  summary: CaptureFileSummary;
  windows: number;
  /** Windows or lines the outputs failed to deliver (the run then exits 1). */
  lost: number;
  /** Stopped by a signal before the end of the file (the run then exits 1). */
  interrupted: boolean;
}

/**
 * Replays a capture file: windows follow packet time from the first frame, every window (empty ones
 * included) goes to the sinks, and the last one is reported at end of file.
 */
export async function replayCaptureFile(file: string, config: PengConfig, outputs: Outputs, log: Logger): Promise<ReplayResult> {
  const local = config.localAddresses.length > 0 ? LocalAddresses.parse(config.localAddresses) : null;
  let windows = 0;
  const detector = new Detector({
    bins: config.bin,
    size: config.size,
    timeFrameMicros: config.timeFrame * 1000,
    interfaceName: basename(file),
    localAddresses: local,
    onReport: (report) => {
      windows++;
      outputs.deliver(report);
    },
    ...(outputs.onPort ? { onPort: outputs.onPort } : {}),
  });
  // Ctrl-C or SIGTERM during a long replay: stop reading, report the window in progress as partial, flush.
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupt.signal.aborted) process.exit(1); // a second signal: out now
    log.warn(`${signal}: stopping the replay; the window in progress is reported as partial`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let summary: CaptureFileSummary;
  let lost = 0;
  try {
    summary = await readCaptureFile(file, detector, { onProblem: (message) => log.warn(`${file}: ${message}`), signal: interrupt.signal });
    detector.finish(summary.interrupted);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    lost = await outputs.close();
  }
  if (local === null && summary.frames > 0) {
    log.warn('no -localAddresses given: every SYN in the capture was counted as server traffic (someone probing us)');
  }
  const t = detector.totals;
  if (t.unsupportedLink > 0) log.warn(`${t.unsupportedLink} frames had a link type Peng does not decode; they were counted as malformed`);
  if (t.timeJumps > 0) log.warn(`${t.timeJumps} timestamp jumps of more than ${Detector.MAX_EMPTY_WINDOWS} windows (forward or back): the window clock restarted at the new time`);
  if (t.badTimestamps > 0) log.warn(`${t.badTimestamps} frames had timestamps beyond any date; they were counted in the window at hand`);
  if (t.outOfOrder > 0) log.info(`${t.outOfOrder} frames were older than their window's start (reordered capture); counted in the current window`);
  if (config.verbose >= 1) {
    log.info(`replayed ${summary.frames} frames, ${t.synPackets} SYNs, ${t.malformed} malformed, ${windows} windows from ${file}`);
  }
  return { summary, windows, lost, interrupted: summary.interrupted };
}
