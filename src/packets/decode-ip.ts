import { ipv4Fragment, ipv6Fragment, isReassembled } from './decode-fragment.js';
import { classifyIcmp, classifyTcp, classifyUdp } from './decode-transport.js';
import { decodeGre, decodeUdpTunnel, isUdpTunnel } from './decode-tunnel.js';
import { MalformedReason, ProbeKind, type ProbeRecord } from './probe-record.js';

/**
 * IPv4 and IPv6 down to the transport header, with IP-in-IP followed to the innermost datagram. Every read
 * is checked against `end` (the captured frame) and the datagram's own length; bytes past the datagram
 * (Ethernet padding) are never read as headers.
 */

/** More nested encapsulations than this is hostile, not a real network (tunnels in tunnels rarely exceed 3). */
export const MAX_ENCAPSULATIONS = 8;
/** More IPv6 extension headers than this is a header-chain attack (RFC 7112 spirit). */
const MAX_IPV6_EXTENSION_HEADERS = 16;

const IPPROTO_ICMP = 1;
const IPPROTO_IPIP = 4;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_IPV6 = 41;
const IPPROTO_GRE = 47;
const IPPROTO_ICMPV6 = 58;
const IPV6_HOP_BY_HOP = 0;
const IPV6_ROUTING = 43;
const IPV6_FRAGMENT = 44;
const IPV6_AH = 51;
const IPV6_DESTINATION_OPTIONS = 60;
/** A fragment's payload continues past its end: options past it are not damage, and it has "data". */
const DATAGRAM_CONTINUES = Number.MAX_SAFE_INTEGER;

export function decodeIpv4(data: Uint8Array, p: number, end: number, depth: number, out: ProbeRecord): number {
  if (end - p < 20) return -MalformedReason.Truncated;
  const versionAndLength = data[p];
  if (versionAndLength >> 4 !== 4) return -MalformedReason.BadHeader;
  const headerLength = (versionAndLength & 0x0f) << 2;
  if (headerLength < 20) return -MalformedReason.BadHeader;
  const totalLength = (data[p + 2] << 8) | data[p + 3];
  // Total length 0 is what TSO-offloaded segments show on capture; the captured bytes are the datagram then.
  if (totalLength !== 0 && totalLength < headerLength) return -MalformedReason.BadHeader;
  const datagramEnd = totalLength === 0 ? end : p + totalLength;
  const limit = datagramEnd < end ? datagramEnd : end;
  if (p + headerLength > limit) return p + headerLength > datagramEnd ? -MalformedReason.BadHeader : -MalformedReason.Truncated;
  const fragmentField = ((data[p + 6] & 0x3f) << 8) | data[p + 7]; // MF and offset
  if (fragmentField !== 0) {
    // A fragment of a probe's datagram: the fragment table reassembles its transport header.
    if (isReassembled(data[p + 9], false)) return ipv4Fragment(data, p, headerLength, limit, datagramEnd, out);
    // Fragment offset != 0: the transport header, if any, was in an earlier fragment.
    if ((fragmentField & 0x1fff) !== 0) return 0;
  }
  const moreFragments = (data[p + 6] & 0x20) !== 0;
  const q = p + headerLength;
  const short = moreFragments ? MalformedReason.FragmentTooShort : limit < datagramEnd ? MalformedReason.Truncated : MalformedReason.BadHeader;
  const protocol = data[p + 9];
  let kind: number;
  if (protocol === IPPROTO_TCP) kind = classifyTcp(data, q, limit, moreFragments ? DATAGRAM_CONTINUES : datagramEnd, short, out);
  else if (protocol === IPPROTO_UDP) {
    if (isUdpTunnel(data, q, limit)) return decodeUdpTunnel(data, q, limit, depth, out); // VXLAN, Geneve
    kind = classifyUdp(data, q, limit, short, out);
  } else if (protocol === IPPROTO_ICMP) kind = classifyIcmp(data, q, limit, false, short, out);
  else if (protocol === IPPROTO_IPIP || protocol === IPPROTO_IPV6) return innerIp(data, q, limit, protocol, depth, out);
  else if (protocol === IPPROTO_GRE) return decodeGre(data, q, limit, depth, out);
  else return 0;
  if (kind > 0 && kind !== ProbeKind.IcmpUnreachable) {
    out.family = 4;
    out.src4 = ((data[p + 12] << 24) | (data[p + 13] << 16) | (data[p + 14] << 8) | data[p + 15]) >>> 0;
    out.dst4 = ((data[p + 16] << 24) | (data[p + 17] << 16) | (data[p + 18] << 8) | data[p + 19]) >>> 0;
  }
  return kind;
}

export function decodeIpv6(data: Uint8Array, p: number, end: number, depth: number, out: ProbeRecord): number {
  if (end - p < 40) return -MalformedReason.Truncated;
  if (data[p] >> 4 !== 6) return -MalformedReason.BadHeader;
  const payloadLength = (data[p + 4] << 8) | data[p + 5];
  // Payload length 0: a jumbogram or a GSO segment; the captured bytes are the datagram then.
  const datagramEnd = payloadLength === 0 ? end : p + 40 + payloadLength;
  const limit = datagramEnd < end ? datagramEnd : end;
  let next = data[p + 6];
  let q = p + 40;
  let moreFragments = false;
  for (let headers = 0; ; headers++) {
    if (next === IPPROTO_TCP || next === IPPROTO_UDP || next === IPPROTO_ICMPV6 || next === IPPROTO_IPIP || next === IPPROTO_IPV6 || next === IPPROTO_GRE) break;
    if (headers === MAX_IPV6_EXTENSION_HEADERS) return -MalformedReason.TunnelTooDeep;
    if (next === IPV6_HOP_BY_HOP || next === IPV6_ROUTING || next === IPV6_DESTINATION_OPTIONS) {
      if (q + 2 > limit) return limit < datagramEnd ? -MalformedReason.Truncated : -MalformedReason.BadHeader;
      next = data[q];
      q += (data[q + 1] + 1) << 3;
    } else if (next === IPV6_FRAGMENT) {
      if (q + 8 > limit) return limit < datagramEnd ? -MalformedReason.Truncated : -MalformedReason.BadHeader;
      const fragmentField = ((data[q + 2] << 8) | data[q + 3]) & 0xfff9; // offset and M; both 0 is an atomic fragment (RFC 6946)
      // A fragment of a probe's datagram: the fragment table reassembles its transport header.
      if (fragmentField !== 0 && isReassembled(data[q], true)) return ipv6Fragment(data, p, q, limit, datagramEnd, out);
      // Fragment offset != 0: the transport header, if any, was in an earlier fragment.
      if ((fragmentField & 0xfff8) !== 0) return 0;
      moreFragments = (data[q + 3] & 1) !== 0;
      next = data[q];
      q += 8;
    } else if (next === IPV6_AH) {
      if (q + 2 > limit) return limit < datagramEnd ? -MalformedReason.Truncated : -MalformedReason.BadHeader;
      next = data[q];
      q += (data[q + 1] + 2) << 2;
    } else {
      return 0; // ESP (encrypted), No Next Header, other protocols
    }
  }
  const short = moreFragments ? MalformedReason.FragmentTooShort : limit < datagramEnd ? MalformedReason.Truncated : MalformedReason.BadHeader;
  let kind: number;
  if (next === IPPROTO_TCP) kind = classifyTcp(data, q, limit, moreFragments ? DATAGRAM_CONTINUES : datagramEnd, short, out);
  else if (next === IPPROTO_UDP) {
    if (isUdpTunnel(data, q, limit)) return decodeUdpTunnel(data, q, limit, depth, out); // VXLAN, Geneve
    kind = classifyUdp(data, q, limit, short, out);
  } else if (next === IPPROTO_ICMPV6) kind = classifyIcmp(data, q, limit, true, short, out);
  else if (next === IPPROTO_GRE) return decodeGre(data, q, limit, depth, out);
  else return innerIp(data, q, limit, next, depth, out);
  if (kind > 0 && kind !== ProbeKind.IcmpUnreachable) {
    out.family = 6;
    writeIpv6Words(data, p + 8, out.src6);
    writeIpv6Words(data, p + 24, out.dst6);
  }
  return kind;
}

/** IP-in-IP (4in4, 6in4, 4in6, 6in6): the inner datagram is the one that probes. */
function innerIp(data: Uint8Array, q: number, limit: number, protocol: number, depth: number, out: ProbeRecord): number {
  if (depth >= MAX_ENCAPSULATIONS) return -MalformedReason.TunnelTooDeep;
  return protocol === IPPROTO_IPIP ? decodeIpv4(data, q, limit, depth + 1, out) : decodeIpv6(data, q, limit, depth + 1, out);
}

function writeIpv6Words(data: Uint8Array, p: number, words: Uint32Array): void {
  for (let i = 0; i < 4; i++, p += 4) {
    words[i] = (data[p] << 24) | (data[p + 1] << 16) | (data[p + 2] << 8) | data[p + 3];
  }
}
