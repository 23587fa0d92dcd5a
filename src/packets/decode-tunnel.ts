import { decodeEtherType } from './decode-frame.js';
import { decodeIpv4, decodeIpv6, MAX_ENCAPSULATIONS } from './decode-ip.js';
import { MalformedReason, type ProbeRecord } from './probe-record.js';

/**
 * Tunnels that carry the probes one layer down: GRE (with ERSPAN I/II/III mirrors), VXLAN, Geneve, MPLS and
 * PPPoE. Each follows to the innermost packet; each tunnel header costs one of the MAX_ENCAPSULATIONS that
 * IP-in-IP also counts, so nesting cannot recurse without bound. Same return convention as decodeFrame.
 */

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_TEB = 0x6558; // transparent Ethernet bridging: an Ethernet frame follows
const ETHERTYPE_ERSPAN_1_2 = 0x88be;
const ETHERTYPE_ERSPAN_3 = 0x22eb;
const ETHERTYPE_MPLS = 0x8847;
const ETHERTYPE_MPLS_MULTICAST = 0x8848;
const ETHERTYPE_PPPOE_SESSION = 0x8864;

const GRE_CHECKSUM = 0x80;
const GRE_ROUTING = 0x40;
const GRE_KEY = 0x20;
const GRE_SEQUENCE = 0x10;
/** RFC 1701 strict source route and recursion control: RFC 2784 receivers discard these. */
const GRE_OBSOLETE = 0x0f;
const GRE_VERSION = 0x07;

const ERSPAN_2_HEADER = 8;
const ERSPAN_3_HEADER = 12;
const ERSPAN_3_PLATFORM_SUBHEADER = 8;

export const VXLAN_PORT = 4789;
export const GENEVE_PORT = 6081;
const VXLAN_VALID_VNI = 0x08; // the I flag
const UDP_HEADER = 8;

/** Real label stacks hold 2–5 entries (VPN, TE, entropy labels); more than this is hostile. */
const MAX_MPLS_LABELS = 16;

const PPPOE_VERSION_TYPE = 0x11;
const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;

/** The next layer of a tunnel whose payload type is an EtherType (GRE, Geneve). */
function decodeTunnelPayload(data: Uint8Array, type: number, p: number, end: number, depth: number, out: ProbeRecord): number {
  if (type === ETHERTYPE_IPV4) return decodeIpv4(data, p, end, depth, out);
  if (type === ETHERTYPE_IPV6) return decodeIpv6(data, p, end, depth, out);
  if (type === ETHERTYPE_TEB) return decodeInnerEthernet(data, p, end, depth, out);
  return 0;
}

/** An Ethernet frame inside a tunnel: destination, source, EtherType, then what decodeEtherType reads. */
function decodeInnerEthernet(data: Uint8Array, p: number, end: number, depth: number, out: ProbeRecord): number {
  if (p + 14 > end) return -MalformedReason.Truncated;
  return decodeEtherType(data, (data[p + 12] << 8) | data[p + 13], p + 14, end, depth, out);
}

/** GRE (IP protocol 47) at `q`, `limit` the end of its datagram as captured. Version 0 only (RFC 2784/2890). */
export function decodeGre(data: Uint8Array, q: number, limit: number, depth: number, out: ProbeRecord): number {
  if (depth >= MAX_ENCAPSULATIONS) return -MalformedReason.TunnelTooDeep;
  if (q + 4 > limit) return -MalformedReason.Truncated;
  const flags = data[q];
  // Version 1 is PPTP's enhanced GRE (PPP inside, no EtherType); routing is RFC 1701's, long obsolete.
  if ((data[q + 1] & GRE_VERSION) !== 0 || (flags & (GRE_ROUTING | GRE_OBSOLETE)) !== 0) return 0;
  const type = (data[q + 2] << 8) | data[q + 3];
  let p = q + 4;
  if ((flags & GRE_CHECKSUM) !== 0) p += 4; // checksum and reserved1
  if ((flags & GRE_KEY) !== 0) p += 4;
  const sequenced = (flags & GRE_SEQUENCE) !== 0;
  if (sequenced) p += 4;
  if (p > limit) return -MalformedReason.Truncated;
  if (type === ETHERTYPE_ERSPAN_1_2) {
    // Type II carries a sequence number and an 8-byte header; type I has neither.
    return decodeInnerEthernet(data, sequenced ? p + ERSPAN_2_HEADER : p, limit, depth + 1, out);
  }
  if (type === ETHERTYPE_ERSPAN_3) {
    if (p + ERSPAN_3_HEADER > limit) return -MalformedReason.Truncated;
    const platformSubheader = (data[p + ERSPAN_3_HEADER - 1] & 0x01) !== 0; // the O bit
    return decodeInnerEthernet(data, p + ERSPAN_3_HEADER + (platformSubheader ? ERSPAN_3_PLATFORM_SUBHEADER : 0), limit, depth + 1, out);
  }
  return decodeTunnelPayload(data, type, p, limit, depth + 1, out);
}

/**
 * Whether the UDP datagram at `q` is a VXLAN or Geneve tunnel: the well-known destination port and a header
 * that checks out. Anything else to those ports is an ordinary datagram (a UDP probe of the port, say).
 */
export function isUdpTunnel(data: Uint8Array, q: number, limit: number): boolean {
  if (q + UDP_HEADER + 8 > limit) return false;
  const port = (data[q + 2] << 8) | data[q + 3];
  if (port === VXLAN_PORT) return (data[q + UDP_HEADER] & VXLAN_VALID_VNI) !== 0;
  if (port === GENEVE_PORT) return data[q + UDP_HEADER] >> 6 === 0; // version 0
  return false;
}

/** A datagram `isUdpTunnel` accepted: VXLAN carries Ethernet; Geneve names its payload by EtherType. */
export function decodeUdpTunnel(data: Uint8Array, q: number, limit: number, depth: number, out: ProbeRecord): number {
  if (depth >= MAX_ENCAPSULATIONS) return -MalformedReason.TunnelTooDeep;
  const h = q + UDP_HEADER;
  if (((data[q + 2] << 8) | data[q + 3]) === VXLAN_PORT) return decodeInnerEthernet(data, h + 8, limit, depth + 1, out);
  const optionsLength = (data[h] & 0x3f) << 2;
  const p = h + 8 + optionsLength;
  if (p > limit) return -MalformedReason.Truncated;
  return decodeTunnelPayload(data, (data[h + 2] << 8) | data[h + 3], p, limit, depth + 1, out);
}

/** EtherTypes past IP that decodeEtherType hands on: MPLS and PPPoE sessions; anything else is not a probe. */
export function decodeOtherEtherType(data: Uint8Array, type: number, p: number, end: number, depth: number, out: ProbeRecord): number {
  if (type === ETHERTYPE_MPLS || type === ETHERTYPE_MPLS_MULTICAST) return decodeMpls(data, p, end, depth, out);
  if (type === ETHERTYPE_PPPOE_SESSION) return decodePppoe(data, p, end, depth, out);
  return 0;
}

/** An MPLS label stack down to the bottom-of-stack bit; the payload's first nibble says IPv4 or IPv6. */
function decodeMpls(data: Uint8Array, p: number, end: number, depth: number, out: ProbeRecord): number {
  if (depth >= MAX_ENCAPSULATIONS) return -MalformedReason.TunnelTooDeep;
  for (let labels = 0; ; labels++) {
    if (labels === MAX_MPLS_LABELS) return -MalformedReason.TunnelTooDeep;
    if (p + 4 > end) return -MalformedReason.Truncated;
    const bottom = (data[p + 2] & 0x01) !== 0;
    p += 4;
    if (bottom) break;
  }
  if (p >= end) return -MalformedReason.Truncated;
  const version = data[p] >> 4;
  if (version === 4) return decodeIpv4(data, p, end, depth + 1, out);
  if (version === 6) return decodeIpv6(data, p, end, depth + 1, out);
  return 0; // a pseudowire (Ethernet behind a control word) or another payload
}

/** A PPPoE session frame (RFC 2516): 6-byte header whose length bounds the PPP frame, then PPP. */
function decodePppoe(data: Uint8Array, p: number, end: number, depth: number, out: ProbeRecord): number {
  if (depth >= MAX_ENCAPSULATIONS) return -MalformedReason.TunnelTooDeep;
  if (p + 6 > end) return -MalformedReason.Truncated;
  if (data[p] !== PPPOE_VERSION_TYPE) return -MalformedReason.BadHeader;
  const payloadEnd = p + 6 + ((data[p + 4] << 8) | data[p + 5]);
  return decodePppProtocol(data, p + 6, payloadEnd < end ? payloadEnd : end, depth + 1, out);
}

/**
 * A PPP protocol field and what follows. The field is 2 bytes, or 1 when compressed (RFC 1661 PFC): a
 * protocol's last byte is odd and its first even, so an odd first byte is a whole 1-byte protocol.
 */
export function decodePppProtocol(data: Uint8Array, p: number, end: number, depth: number, out: ProbeRecord): number {
  if (p >= end) return -MalformedReason.Truncated;
  let protocol = data[p];
  if ((protocol & 0x01) === 0) {
    if (p + 2 > end) return -MalformedReason.Truncated;
    protocol = (protocol << 8) | data[p + 1];
    p += 2;
  } else {
    p += 1;
  }
  if (protocol === PPP_IPV4) return decodeIpv4(data, p, end, depth, out);
  if (protocol === PPP_IPV6) return decodeIpv6(data, p, end, depth, out);
  return 0;
}
