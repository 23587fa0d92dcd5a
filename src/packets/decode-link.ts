import { decodeEtherType } from './decode-frame.js';
import { decodeIpv4, decodeIpv6 } from './decode-ip.js';
import { decodePppProtocol } from './decode-tunnel.js';
import { decodeRadiotap, decodeWlan } from './decode-wifi.js';
import { MalformedReason, type ProbeRecord } from './probe-record.js';
import { LinkType } from './syn-record.js';

/**
 * Link types past Ethernet and cooked captures: PPP (9, 50), Cisco HDLC (104) and Linux NFLOG (239).
 * Wireless (127, 105) is in decode-wifi.ts. Same return convention as decodeFrame; `p` to `end` is the frame.
 */

/** Link types decodeFrame does not handle itself; `p` to `end` is the whole frame. */
export function decodeOtherLink(data: Uint8Array, p: number, end: number, linkType: number, out: ProbeRecord): number {
  switch (linkType) {
    case LinkType.Ipv4:
      return decodeIpv4(data, p, end, 0, out);
    case LinkType.Ipv6:
      return decodeIpv6(data, p, end, 0, out);
    case LinkType.Ppp:
    case LinkType.PppHdlc:
      return decodePpp(data, p, end, out);
    case LinkType.CiscoHdlc:
      return decodeCiscoHdlc(data, p, end, out);
    case LinkType.Nflog:
      return decodeNflog(data, p, end, out);
    case LinkType.Radiotap:
      return decodeRadiotap(data, p, end, out);
    case LinkType.Ieee80211:
      return decodeWlan(data, p, end, out);
    default:
      return -MalformedReason.UnsupportedLink;
  }
}

const PPP_ADDRESS = 0xff;
const PPP_CONTROL = 0x03;

/** PPP (LINKTYPE_PPP, LINKTYPE_PPP_HDLC): the HDLC-like address and control bytes are optional (RFC 1662). */
export function decodePpp(data: Uint8Array, p: number, end: number, out: ProbeRecord): number {
  if (p + 2 <= end && data[p] === PPP_ADDRESS && data[p + 1] === PPP_CONTROL) p += 2;
  return decodePppProtocol(data, p, end, 0, out);
}

/** Cisco HDLC: address (unicast 0x0f, broadcast 0x8f), control, then an EtherType. */
export function decodeCiscoHdlc(data: Uint8Array, p: number, end: number, out: ProbeRecord): number {
  if (p + 4 > end) return -MalformedReason.Truncated;
  return decodeEtherType(data, (data[p + 2] << 8) | data[p + 3], p + 4, end, 0, out);
}

const NFLOG_HEADER = 4;
const AF_INET = 2;
const AF_INET6 = 10; // Linux's value: NFLOG exists only there
const NFULA_PAYLOAD = 9;
/** Attribute type bits that are flags (NLA_F_NESTED, NLA_F_NET_BYTEORDER), not the type. */
const NLA_TYPE_MASK = 0x3fff;
/** The kernel writes about 15 attribute types, each at most once; more than this is hostile. */
const MAX_NFLOG_TLVS = 64;

/**
 * Linux NFLOG: family, version, resource id, then netlink attributes (length including its 4-byte head, type)
 * padded to 4 bytes, in the capturing host's byte order. The packet is the NFULA_PAYLOAD attribute.
 */
export function decodeNflog(data: Uint8Array, p: number, end: number, out: ProbeRecord): number {
  if (p + NFLOG_HEADER > end) return -MalformedReason.Truncated;
  const family = data[p];
  p += NFLOG_HEADER;
  // Byte order from the first type: types are small, so its low byte is the non-zero one (little-endian is usual).
  const bigEndian = p + 4 <= end && data[p + 2] === 0 && data[p + 3] !== 0;
  for (let tlvs = 0; p < end; tlvs++) {
    if (tlvs === MAX_NFLOG_TLVS) return -MalformedReason.BadHeader;
    if (p + 4 > end) return -MalformedReason.Truncated;
    const length = bigEndian ? (data[p] << 8) | data[p + 1] : data[p] | (data[p + 1] << 8);
    const type = (bigEndian ? (data[p + 2] << 8) | data[p + 3] : data[p + 2] | (data[p + 3] << 8)) & NLA_TYPE_MASK;
    if (length < 4) return -MalformedReason.BadHeader;
    if (type === NFULA_PAYLOAD) {
      const payloadEnd = p + length < end ? p + length : end;
      if (family === AF_INET) return decodeIpv4(data, p + 4, payloadEnd, 0, out);
      if (family === AF_INET6) return decodeIpv6(data, p + 4, payloadEnd, 0, out);
      return 0;
    }
    p += (length + 3) & ~3;
  }
  return 0; // no payload attribute: a log entry without the packet
}
