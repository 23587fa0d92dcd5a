import { DecodeResult, LinkType, type SynRecord } from './syn-record.js';

/**
 * The hot path: finds a connection-opening TCP segment (SYN set, ACK clear) in one captured frame.
 * Every read is bounds-checked against the frame, so hostile bytes yield Malformed, never a throw or a
 * read past `offset + length`. Nothing is allocated; `out` is written only when the result is Syn.
 *
 * Lengths: a header field that claims more bytes than were captured is a snaplen cut, not damage; the
 * segment still decodes when the first 14 bytes of its TCP header (ports and flags) were captured.
 * Bytes past the IP datagram's declared length (Ethernet padding) are never read as headers.
 */

const SYN = DecodeResult.Syn;
const OTHER = DecodeResult.Other;
const MALFORMED = DecodeResult.Malformed;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100; // 802.1Q
const ETHERTYPE_QINQ = 0x88a8; // 802.1ad
const ETHERTYPE_QINQ_OLD = 0x9100; // pre-standard QinQ

/** More stacked VLAN tags than this is hostile, not a real network. */
const MAX_VLAN_TAGS = 16;
/** More IPv6 extension headers than this is a header-chain attack (RFC 7112 spirit). */
const MAX_IPV6_EXTENSION_HEADERS = 16;

const IPPROTO_TCP = 6;
const IPV6_HOP_BY_HOP = 0;
const IPV6_ROUTING = 43;
const IPV6_FRAGMENT = 44;
const IPV6_AH = 51;
const IPV6_DESTINATION_OPTIONS = 60;

const TCP_SYN = 0x02;
const TCP_ACK = 0x10;
/** Ports and flags: all the decoder reads of a TCP header. */
const TCP_BYTES_NEEDED = 14;

/** BSD address families as DLT_NULL writes them (value of AF_INET6 differs between BSDs). */
const BSD_AF_INET = 2;
const BSD_AF_INET6_NETBSD = 24;
const BSD_AF_INET6_FREEBSD = 28;
const BSD_AF_INET6_DARWIN = 30;

/** Decodes `data[offset, offset + length)` captured with libpcap link type `linkType` into `out`. */
export function decodeSyn(data: Uint8Array, offset: number, length: number, linkType: number, out: SynRecord): DecodeResult {
  const end = offset + length;
  // A caller's bad frame bounds are counted like a bad frame, so nothing below can read outside `data`.
  if (offset >>> 0 !== offset || length >>> 0 !== length || end > data.length) return MALFORMED;
  switch (linkType) {
    case LinkType.Ethernet:
      if (length < 14) return MALFORMED;
      return decodeEtherType(data, (data[offset + 12] << 8) | data[offset + 13], offset + 14, end, out);
    case LinkType.LinuxSll:
      if (length < 16) return MALFORMED;
      return decodeEtherType(data, (data[offset + 14] << 8) | data[offset + 15], offset + 16, end, out);
    case LinkType.LinuxSll2:
      if (length < 20) return MALFORMED;
      return decodeEtherType(data, (data[offset] << 8) | data[offset + 1], offset + 20, end, out);
    case LinkType.Raw:
    case LinkType.RawBsd:
    case LinkType.RawOpenBsd:
      return decodeRawIp(data, offset, end, out);
    case LinkType.Null:
      return decodeNull(data, offset, end, out);
    default:
      return DecodeResult.UnsupportedLink;
  }
}

/** `type` is the EtherType read just before `p`; VLAN tags (TCI, then the next EtherType) may follow. */
function decodeEtherType(data: Uint8Array, type: number, p: number, end: number, out: SynRecord): DecodeResult {
  for (let tags = 0; type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD; tags++) {
    if (tags === MAX_VLAN_TAGS || p + 4 > end) return MALFORMED;
    type = (data[p + 2] << 8) | data[p + 3];
    p += 4;
  }
  if (type === ETHERTYPE_IPV4) return decodeIpv4(data, p, end, out);
  if (type === ETHERTYPE_IPV6) return decodeIpv6(data, p, end, out);
  return OTHER;
}

function decodeRawIp(data: Uint8Array, p: number, end: number, out: SynRecord): DecodeResult {
  if (p >= end) return MALFORMED;
  const version = data[p] >> 4;
  if (version === 4) return decodeIpv4(data, p, end, out);
  if (version === 6) return decodeIpv6(data, p, end, out);
  return MALFORMED;
}

/** The 4-byte family is in the capturing host's byte order, which the file does not record: try both. */
function decodeNull(data: Uint8Array, p: number, end: number, out: SynRecord): DecodeResult {
  if (end - p < 4) return MALFORMED;
  const little = (data[p] | (data[p + 1] << 8) | (data[p + 2] << 16) | (data[p + 3] << 24)) >>> 0;
  const big = ((data[p] << 24) | (data[p + 1] << 16) | (data[p + 2] << 8) | data[p + 3]) >>> 0;
  if (little === BSD_AF_INET || big === BSD_AF_INET) return decodeIpv4(data, p + 4, end, out);
  if (isBsdInet6(little) || isBsdInet6(big)) return decodeIpv6(data, p + 4, end, out);
  return OTHER;
}

function isBsdInet6(family: number): boolean {
  return family === BSD_AF_INET6_NETBSD || family === BSD_AF_INET6_FREEBSD || family === BSD_AF_INET6_DARWIN;
}

function decodeIpv4(data: Uint8Array, p: number, end: number, out: SynRecord): DecodeResult {
  if (end - p < 20) return MALFORMED;
  const versionAndLength = data[p];
  if (versionAndLength >> 4 !== 4) return MALFORMED;
  const headerLength = (versionAndLength & 0x0f) << 2;
  if (headerLength < 20) return MALFORMED;
  const totalLength = (data[p + 2] << 8) | data[p + 3];
  let datagramEnd = end;
  // Total length 0 is what TSO-offloaded segments show on capture; the captured bytes are the datagram then.
  if (totalLength !== 0) {
    if (totalLength < headerLength) return MALFORMED;
    datagramEnd = p + totalLength;
  }
  const limit = datagramEnd < end ? datagramEnd : end;
  if (p + headerLength > limit) return MALFORMED;
  // Fragment offset != 0: the TCP header, if any, was in an earlier fragment.
  if ((((data[p + 6] & 0x1f) << 8) | data[p + 7]) !== 0) return OTHER;
  if (data[p + 9] !== IPPROTO_TCP) return OTHER;
  const result = decodeTcp(data, p + headerLength, limit, datagramEnd, out);
  if (result === SYN) {
    out.family = 4;
    out.src4 = ((data[p + 12] << 24) | (data[p + 13] << 16) | (data[p + 14] << 8) | data[p + 15]) >>> 0;
    out.dst4 = ((data[p + 16] << 24) | (data[p + 17] << 16) | (data[p + 18] << 8) | data[p + 19]) >>> 0;
  }
  return result;
}

function decodeIpv6(data: Uint8Array, p: number, end: number, out: SynRecord): DecodeResult {
  if (end - p < 40) return MALFORMED;
  if (data[p] >> 4 !== 6) return MALFORMED;
  const payloadLength = (data[p + 4] << 8) | data[p + 5];
  // Payload length 0: a jumbogram or a GSO segment; the captured bytes are the datagram then.
  const datagramEnd = payloadLength === 0 ? end : p + 40 + payloadLength;
  const limit = datagramEnd < end ? datagramEnd : end;
  let next = data[p + 6];
  let q = p + 40;
  for (let headers = 0; next !== IPPROTO_TCP; headers++) {
    if (headers === MAX_IPV6_EXTENSION_HEADERS) return MALFORMED;
    if (next === IPV6_HOP_BY_HOP || next === IPV6_ROUTING || next === IPV6_DESTINATION_OPTIONS) {
      if (q + 2 > limit) return MALFORMED;
      next = data[q];
      q += (data[q + 1] + 1) << 3;
    } else if (next === IPV6_FRAGMENT) {
      if (q + 8 > limit) return MALFORMED;
      // Fragment offset != 0: the TCP header, if any, was in an earlier fragment.
      if ((((data[q + 2] << 8) | data[q + 3]) & 0xfff8) !== 0) return OTHER;
      next = data[q];
      q += 8;
    } else if (next === IPV6_AH) {
      if (q + 2 > limit) return MALFORMED;
      next = data[q];
      q += (data[q + 1] + 2) << 2;
    } else {
      return OTHER; // UDP, ICMPv6, ESP (encrypted), No Next Header, ...
    }
  }
  const result = decodeTcp(data, q, limit, datagramEnd, out);
  if (result === SYN) {
    out.family = 6;
    writeIpv6Words(data, p + 8, out.src6);
    writeIpv6Words(data, p + 24, out.dst6);
  }
  return result;
}

/** `limit` bounds what may be read; `datagramEnd` is where the IP datagram says it ends (may be past capture). */
function decodeTcp(data: Uint8Array, q: number, limit: number, datagramEnd: number, out: SynRecord): DecodeResult {
  // A TCP header missing its first 14 bytes is a cut capture or a tiny-fragment evasion: either way damage.
  if (q + TCP_BYTES_NEEDED > limit) return MALFORMED;
  const dataOffset = data[q + 12] >> 4;
  if (dataOffset < 5 || q + (dataOffset << 2) > datagramEnd) return MALFORMED;
  if ((data[q + 13] & (TCP_SYN | TCP_ACK)) !== TCP_SYN) return OTHER;
  out.srcPort = (data[q] << 8) | data[q + 1];
  out.dstPort = (data[q + 2] << 8) | data[q + 3];
  return SYN;
}

function writeIpv6Words(data: Uint8Array, p: number, words: Uint32Array): void {
  for (let i = 0; i < 4; i++, p += 4) {
    words[i] = (data[p] << 24) | (data[p + 1] << 16) | (data[p + 2] << 8) | data[p + 3];
  }
}
