import { DecodeOutcome, MalformedReason, type ProbeRecord } from './probe-record.js';

/**
 * IP fragments of the datagrams a probe travels in (TCP, UDP, ICMP, ICMPv6): the decoder stays stateless
 * and writes where the fragment's data lies into `out.fragment` (with the family and addresses), returning
 * DecodeOutcome.Fragment; a FragmentTable reassembles the transport header. Fragments of other protocols
 * (IP-in-IP, GRE, ESP) are not reassembled: their first fragment is decoded as it stands.
 */

const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ICMPV6 = 58;
/** No datagram is longer than this (the ping-of-death bound: a fragment past it is forged). */
const MAX_DATAGRAM_PAYLOAD = 0xffff;

/** Whether fragments carrying `protocol` (IPv4 protocol or the IPv6 fragment header's next header) go to the table. */
export function isReassembled(protocol: number, v6: boolean): boolean {
  return protocol === IPPROTO_TCP || protocol === IPPROTO_UDP || protocol === (v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
}

/**
 * An IPv4 fragment (MF set or offset > 0) whose header `data[p, p + headerLength)` was checked by the caller;
 * `limit` is the end of what was captured of the datagram, `datagramEnd` where its total length says it ends.
 */
export function ipv4Fragment(data: Uint8Array, p: number, headerLength: number, limit: number, datagramEnd: number, out: ProbeRecord): number {
  const f = out.fragment;
  f.offset = (((data[p + 6] & 0x1f) << 8) | data[p + 7]) << 3;
  f.start = p + headerLength;
  f.length = datagramEnd - f.start;
  if (f.offset + f.length > MAX_DATAGRAM_PAYLOAD) return -MalformedReason.BadHeader;
  f.captured = limit - f.start;
  f.id = (data[p + 4] << 8) | data[p + 5];
  f.protocol = data[p + 9];
  f.more = (data[p + 6] & 0x20) !== 0;
  out.family = 4;
  out.src4 = ((data[p + 12] << 24) | (data[p + 13] << 16) | (data[p + 14] << 8) | data[p + 15]) >>> 0;
  out.dst4 = ((data[p + 16] << 24) | (data[p + 17] << 16) | (data[p + 18] << 8) | data[p + 19]) >>> 0;
  return DecodeOutcome.Fragment;
}

/**
 * An IPv6 fragment (offset > 0 or M set) of the datagram whose fixed header starts at `p`; its fragment header
 * `data[q, q + 8)` was checked by the caller. The fragmentable part starts right after the fragment header.
 */
export function ipv6Fragment(data: Uint8Array, p: number, q: number, limit: number, datagramEnd: number, out: ProbeRecord): number {
  const f = out.fragment;
  f.offset = ((data[q + 2] << 8) | data[q + 3]) & 0xfff8; // 13-bit offset in 8-byte units, already shifted by 3
  f.start = q + 8;
  f.length = datagramEnd - f.start;
  if (f.offset + f.length > MAX_DATAGRAM_PAYLOAD) return -MalformedReason.BadHeader;
  f.captured = limit - f.start;
  f.id = ((data[q + 4] << 24) | (data[q + 5] << 16) | (data[q + 6] << 8) | data[q + 7]) >>> 0;
  f.protocol = data[q];
  f.more = (data[q + 3] & 1) !== 0;
  out.family = 6;
  for (let i = 0; i < 4; i++) {
    const s = p + 8 + 4 * i;
    const d = p + 24 + 4 * i;
    out.src6[i] = (data[s] << 24) | (data[s + 1] << 16) | (data[s + 2] << 8) | data[s + 3];
    out.dst6[i] = (data[d] << 24) | (data[d + 1] << 16) | (data[d + 2] << 8) | data[d + 3];
  }
  return DecodeOutcome.Fragment;
}
