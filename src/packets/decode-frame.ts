import { decodeIpv4, decodeIpv6 } from './decode-ip.js';
import { decodeOtherLink } from './decode-link.js';
import { decodeOtherEtherType } from './decode-tunnel.js';
import { MalformedReason, type ProbeRecord } from './probe-record.js';
import { LinkType } from './syn-record.js';

/**
 * The hot path: what one captured frame is to a scan detector. Returns a ProbeKind (> 0) with the record
 * filled in, 0 for a well-formed frame that is neither probe nor reply, or a negated MalformedReason.
 * Every read is bounds-checked against the frame, so hostile bytes yield a reason, never a throw or a read
 * past `offset + length`; every loop over headers has its bound next to it. Nothing is allocated.
 *
 * Lengths: a header field that claims more bytes than were captured is a snaplen cut, not damage; a probe
 * still classifies when the bytes that make it one (TCP ports and flags, UDP ports, ICMP type) were captured.
 */

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100; // 802.1Q
const ETHERTYPE_QINQ = 0x88a8; // 802.1ad
const ETHERTYPE_QINQ_OLD = 0x9100; // pre-standard QinQ
/** More stacked VLAN tags than this is hostile, not a real network. */
const MAX_VLAN_TAGS = 16;

/** BSD address families as DLT_NULL writes them (the value of AF_INET6 differs between BSDs). */
const BSD_AF_INET = 2;
const BSD_AF_INET6_NETBSD = 24;
const BSD_AF_INET6_FREEBSD = 28;
const BSD_AF_INET6_DARWIN = 30;

/** Classifies `data[offset, offset + length)` captured with libpcap link type `linkType`. */
export function decodeFrame(data: Uint8Array, offset: number, length: number, linkType: number, out: ProbeRecord): number {
  const end = offset + length;
  // A caller's bad frame bounds are counted like a bad frame, so nothing below can read outside `data`.
  if (offset >>> 0 !== offset || length >>> 0 !== length || end > data.length) return -MalformedReason.Truncated;
  switch (linkType) {
    case LinkType.Ethernet:
      if (length < 14) return -MalformedReason.Truncated;
      return decodeEtherType(data, (data[offset + 12] << 8) | data[offset + 13], offset + 14, end, 0, out);
    case LinkType.LinuxSll:
      if (length < 16) return -MalformedReason.Truncated;
      return decodeEtherType(data, (data[offset + 14] << 8) | data[offset + 15], offset + 16, end, 0, out);
    case LinkType.LinuxSll2:
      if (length < 20) return -MalformedReason.Truncated;
      return decodeEtherType(data, (data[offset] << 8) | data[offset + 1], offset + 20, end, 0, out);
    case LinkType.Raw:
    case LinkType.RawBsd:
    case LinkType.RawOpenBsd:
      return decodeRawIp(data, offset, end, 0, out);
    case LinkType.Null:
      return decodeNull(data, offset, end, out);
    default:
      // Out of line, so this function stays small enough for V8 to inline into the per-frame loop.
      return decodeOtherLink(data, offset, end, linkType, out);
  }
}

/** `type` is the EtherType read just before `p`; VLAN tags (TCI, then the next EtherType) may follow. */
export function decodeEtherType(data: Uint8Array, type: number, p: number, end: number, depth: number, out: ProbeRecord): number {
  for (let tags = 0; type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD; tags++) {
    if (tags === MAX_VLAN_TAGS) return -MalformedReason.TunnelTooDeep;
    if (p + 4 > end) return -MalformedReason.Truncated;
    type = (data[p + 2] << 8) | data[p + 3];
    p += 4;
  }
  if (type === ETHERTYPE_IPV4) return decodeIpv4(data, p, end, depth, out);
  if (type === ETHERTYPE_IPV6) return decodeIpv6(data, p, end, depth, out);
  return decodeOtherEtherType(data, type, p, end, depth, out);
}

/** Raw IP: the version nibble says which. */
export function decodeRawIp(data: Uint8Array, p: number, end: number, depth: number, out: ProbeRecord): number {
  if (p >= end) return -MalformedReason.Truncated;
  const version = data[p] >> 4;
  if (version === 4) return decodeIpv4(data, p, end, depth, out);
  if (version === 6) return decodeIpv6(data, p, end, depth, out);
  return -MalformedReason.BadHeader;
}

/** The 4-byte family is in the capturing host's byte order, which the file does not record: try both. */
function decodeNull(data: Uint8Array, p: number, end: number, out: ProbeRecord): number {
  if (end - p < 4) return -MalformedReason.Truncated;
  const little = (data[p] | (data[p + 1] << 8) | (data[p + 2] << 16) | (data[p + 3] << 24)) >>> 0;
  const big = ((data[p] << 24) | (data[p + 1] << 16) | (data[p + 2] << 8) | data[p + 3]) >>> 0;
  if (little === BSD_AF_INET || big === BSD_AF_INET) return decodeIpv4(data, p + 4, end, 0, out);
  if (isBsdInet6(little) || isBsdInet6(big)) return decodeIpv6(data, p + 4, end, 0, out);
  return 0;
}

function isBsdInet6(family: number): boolean {
  return family === BSD_AF_INET6_NETBSD || family === BSD_AF_INET6_FREEBSD || family === BSD_AF_INET6_DARWIN;
}
