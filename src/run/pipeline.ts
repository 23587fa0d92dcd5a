import type { PengConfig } from '../config/peng-config.js';
import { Detector } from '../detector/detector.js';
import { LocalAddresses } from '../net/local-addresses.js';
import type { Outputs } from './outputs.js';

/** `-localAddresses` as a matcher; null when not given (live then follows the interfaces' own addresses). */
export function configuredLocalAddresses(config: Pick<PengConfig, 'localAddresses'>): LocalAddresses | null {
  return config.localAddresses.length > 0 ? LocalAddresses.parse(config.localAddresses) : null;
}

/** One detector as replay and live both build it: the configured bitmaps, reporting to the outputs. */
export function createDetector(config: Pick<PengConfig, 'bin' | 'size'>, name: string, local: LocalAddresses | null, outputs: Outputs): Detector {
  return new Detector({
    bins: config.bin,
    size: config.size,
    interfaceName: name,
    localAddresses: local,
    onReport: (report) => outputs.deliver(report),
    ...(outputs.onPort ? { onPort: outputs.onPort } : {}),
  });
}
