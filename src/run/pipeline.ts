import { ScanTable } from '../attribution/scan-table.js';
import type { PengConfig } from '../config/peng-config.js';
import { Detector } from '../detector/detector.js';
import { formatIPv4, formatIPv6 } from '../net/ip-text.js';
import { LocalAddresses } from '../net/local-addresses.js';
import { probeKindMask, type ProbeSetName } from '../packets/probe-set.js';
import type { Outputs } from './outputs.js';

/** `-localAddresses` as a matcher; null when not given (live then follows the interfaces' own addresses). */
export function configuredLocalAddresses(config: Pick<PengConfig, 'localAddresses'>): LocalAddresses | null {
  return config.localAddresses.length > 0 ? LocalAddresses.parse(config.localAddresses) : null;
}

/** What watches one interface or file: the seed's detector, and the scan table its probes feed. */
export interface Analysis {
  readonly detector: Detector;
  readonly scans: ScanTable;
}

type AnalysisConfig = Pick<PengConfig, 'bin' | 'size' | 'maxSources' | 'maxScans' | 'ignoreSources' | 'ignoreDestinations'>;

/**
 * One interface's analysis as replay and live both build it: the configured bitmaps and scan table; each
 * closed window gets the table's scanners and goes to the outputs. Only the kinds of `probeSets` are counted
 * and attributed: live, they are what the kernel filter passes; replay applies the same mask.
 */
export function createAnalysis(
  config: AnalysisConfig,
  name: string,
  local: LocalAddresses | null,
  outputs: Outputs,
  probeSets: readonly ProbeSetName[],
  /** Live: frames the capture dropped since the last window (the detector cannot know them). */
  droppedInWindow?: () => number,
): Analysis {
  const scans = new ScanTable({
    maxSources: config.maxSources,
    maxScansPerWindow: config.maxScans,
    ignoreSources: config.ignoreSources.length > 0 ? LocalAddresses.parse(config.ignoreSources) : null,
    ignoreDestinations: config.ignoreDestinations.length > 0 ? LocalAddresses.parse(config.ignoreDestinations) : null,
    formatSource: (family, words) => (family === 4 ? formatIPv4(words[3]!) : formatIPv6(words)),
  });
  const detector = new Detector({
    bins: config.bin,
    size: config.size,
    interfaceName: name,
    localAddresses: local,
    probeMask: probeKindMask(probeSets),
    onReport: (report) => {
      if (droppedInWindow) report.capture.dropped = droppedInWindow();
      outputs.deliver(Object.assign(report, scans.closeWindow()));
    },
    onProbe: (kind, direction, record, seconds) => scans.observe(kind, direction, record, seconds),
    ...(outputs.onPort ? { onPort: outputs.onPort } : {}),
  });
  return { detector, scans };
}
