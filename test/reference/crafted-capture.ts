import { TcpFlags, ipv4Packet, tcpFrame, tcpSegment, frameIp } from '../../support/frames.js';
import { writePcap, type PcapRecord } from '../../support/capture-writers.js';

/** Window length of the crafted capture. */
export const CRAFTED_TIME_FRAME = '1s';
/** Local addresses of the crafted capture's watched host. */
export const CRAFTED_LOCAL = ['10.0.0.2', 'fd00::/64'] as const;
const T = 1_000_000;
const T0 = 1_700_000_000_000_000;

const v4 = (src: string, dst: string, dstPort: number, flags: number = TcpFlags.SYN): Uint8Array =>
  tcpFrame({ link: 'ethernet', ipv4: { src, dst }, tcp: { dstPort, flags } });
const v6 = (src: string, dst: string, dstPort: number): Uint8Array => tcpFrame({ link: 'ethernet', ipv6: { src, dst }, tcp: { dstPort } });

/** An ICMP port-unreachable quoting a SYN: tshark sees tcp.flags.syn inside it, Peng must not count it. */
function icmpQuotingSyn(): Uint8Array {
  const quoted = ipv4Packet({ src: '10.0.0.2', dst: '192.0.2.9' }, tcpSegment({ dstPort: 9999 }));
  const icmp = new Uint8Array(8 + quoted.length);
  icmp.set([3, 3], 0);
  icmp.set(quoted, 8);
  return frameIp({ link: 'ethernet' }, ipv4Packet({ src: '192.0.2.9', dst: '10.0.0.2', protocol: 1 }, icmp));
}

/**
 * Frames placed on and around window boundaries (T = 1 s), every direction, IPv4 and IPv6, an empty
 * window, and look-alikes that are not connection-opening SYNs. Expected windows with local addresses:
 *   w0: frames 3, SYNs 2, server [22], client [443]   (first frame is a RST: t0 is any frame's time)
 *   w1: frames 3, SYNs 2, server [8080], client []    (a SYN-ACK, and a SYN between two other hosts)
 *   w2: empty
 *   w3: frames 3, SYNs 2, server [80], client [53]    (IPv6; ICMP quoting a SYN)
 */
export function writeCraftedCapture(path: string): void {
  const records: PcapRecord[] = [
    { timeMicros: T0, bytes: v4('192.0.2.9', '10.0.0.2', 80, TcpFlags.RST) },
    { timeMicros: T0 + T / 2, bytes: v4('192.0.2.9', '10.0.0.2', 22) },
    { timeMicros: T0 + T - 1, bytes: v4('10.0.0.2', '192.0.2.9', 443) },
    { timeMicros: T0 + T, bytes: v4('192.0.2.9', '10.0.0.2', 8080) },
    { timeMicros: T0 + T + 1, bytes: v4('10.0.0.2', '192.0.2.9', 40000, TcpFlags.SYN | TcpFlags.ACK) },
    { timeMicros: T0 + T + 2, bytes: v4('192.0.2.7', '192.0.2.9', 25) },
    { timeMicros: T0 + 3 * T + 5, bytes: v6('2001:db8::9', 'fd00::5', 80) },
    { timeMicros: T0 + 3 * T + 6, bytes: v6('fd00::5', '2001:db8::9', 53) },
    { timeMicros: T0 + 4 * T - 1, bytes: icmpQuotingSyn() },
  ];
  writePcap(path, 1, records);
}

/** Start of the crafted capture's first window. */
export const CRAFTED_START = new Date(T0 / 1000);
