import { Detector } from '../../src/detector/detector.js';
import type { LocalAddresses } from '../../src/net/local-addresses.js';
import type { WindowReport } from '../../src/report/window-report.js';
import { PacketTimeWindows, type PacketTimeWindowsOptions } from '../../src/windows/packet-time-windows.js';
import { TcpFlags, tcpFrame, linkTypeOf } from '../../support/frames.js';

export const SECOND = 1_000_000;

/** An Ethernet TCP frame from `src` to `dst` (IPv4 or IPv6 by the address), SYN unless told otherwise. */
export function syn(src: string, dst: string, dstPort: number, flags: number = TcpFlags.SYN): Uint8Array {
  const v6 = src.includes(':');
  return tcpFrame({ link: 'ethernet', ...(v6 ? { ipv6: { src, dst } } : { ipv4: { src, dst } }), tcp: { srcPort: 40000, dstPort, flags } });
}

/** A detector behind the replay clock, as `peng replay` builds them: `d` takes frames, `detector` counts. */
export function replayPipeline(
  local: LocalAddresses | null,
  timeFrameMicros = 10 * SECOND,
  options: PacketTimeWindowsOptions = {},
): { d: PacketTimeWindows; detector: Detector; reports: WindowReport[] } {
  const reports: WindowReport[] = [];
  const det = new Detector({ bins: 16, size: 1024, interfaceName: 'test0', localAddresses: local, onReport: (r) => reports.push(r) });
  return { d: new PacketTimeWindows(det, timeFrameMicros, options), detector: det, reports };
}

/** Feeds one frame stamped `t` microseconds after the epoch, split as sources do. */
export function feed(d: PacketTimeWindows, frame: Uint8Array, t: number, linkType: number = linkTypeOf.ethernet, length = frame.length): void {
  const seconds = Math.floor(t / SECOND);
  d.onFrame(frame, 0, length, linkType, seconds, (t - seconds * SECOND) * 1000);
}
