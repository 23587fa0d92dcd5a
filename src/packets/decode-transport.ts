import { HeaderDamage, MalformedReason, ProbeKind, type ProbeRecord } from './probe-record.js';

/**
 * The transport layer of one IP datagram: what kind of probe or reply it is. Returns a ProbeKind (> 0), 0
 * for anything else, or a negated MalformedReason; writes ports (and, for ICMP errors, addresses) into `out`.
 * `limit` bounds what may be read; `datagramEnd` is where the IP header says the datagram ends (it may lie
 * past a snaplen cut, never past `limit` for what is read).
 */

const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_RST = 0x04;
const TCP_PSH = 0x08;
const TCP_ACK = 0x10;
const TCP_URG = 0x20;
/** The six classic flags; ECE and CWR (ECN) do not change what a segment is. */
const TCP_CLASSIC_FLAGS = 0x3f;
/** Ports and flags: all the decoder reads of a TCP header. */
export const TCP_BYTES_NEEDED = 14;

const ICMP_ECHO_REQUEST = 8;
const ICMP_UNREACHABLE = 3;
const ICMPV6_UNREACHABLE = 1;
const ICMPV6_ECHO_REQUEST = 128;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;

/** TCP: the seed's test (SYN set, ACK clear) first, exactly as the seed wrote it; then replies; then stealth probes. */
export function classifyTcp(data: Uint8Array, q: number, limit: number, datagramEnd: number, truncated: number, out: ProbeRecord): number {
  if (q + TCP_BYTES_NEEDED > limit) return -truncated;
  const dataOffset = data[q + 12] >> 4;
  if (dataOffset < 5) return -MalformedReason.BadHeader;
  const headerEnd = q + (dataOffset << 2);
  // Options claimed past the datagram: the flags and ports are still what the sender wrote (Mirai's SYNs).
  out.damage = headerEnd > datagramEnd ? HeaderDamage.TcpOptionsPastPayload : HeaderDamage.None;
  const flags = data[q + 13];
  let kind: number;
  if ((flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) kind = ProbeKind.Syn;
  else if ((flags & TCP_SYN) !== 0) kind = ProbeKind.SynAck;
  else if ((flags & TCP_RST) !== 0) kind = ProbeKind.Rst;
  else {
    const classic = flags & TCP_CLASSIC_FLAGS;
    const empty = headerEnd >= datagramEnd; // no payload: probes carry none, a connection's data segments do
    if (classic === 0) kind = ProbeKind.Null;
    else if (classic === TCP_FIN) kind = ProbeKind.Fin;
    else if (classic === (TCP_FIN | TCP_PSH | TCP_URG)) kind = ProbeKind.Xmas;
    else if (classic === (TCP_FIN | TCP_ACK) && empty) kind = ProbeKind.Maimon;
    else if (classic === TCP_ACK && empty) kind = ProbeKind.Ack;
    else return 0;
  }
  out.srcPort = (data[q] << 8) | data[q + 1];
  out.dstPort = (data[q + 2] << 8) | data[q + 3];
  return kind;
}

export function classifyUdp(data: Uint8Array, q: number, limit: number, truncated: number, out: ProbeRecord): number {
  if (q + 4 > limit) return -truncated;
  out.srcPort = (data[q] << 8) | data[q + 1];
  out.dstPort = (data[q + 2] << 8) | data[q + 3];
  out.damage = HeaderDamage.None;
  return ProbeKind.Udp;
}

/**
 * ICMP (`v6` false) or ICMPv6: echo requests are probes; destination-unreachable errors are replies about the
 * datagram they quote, written as that datagram's answer: source = the probed host, destination = the prober,
 * source port = the probed port. The caller writes the outer addresses only for echo requests.
 */
export function classifyIcmp(data: Uint8Array, q: number, limit: number, v6: boolean, truncated: number, out: ProbeRecord): number {
  if (q + 1 > limit) return -truncated;
  const type = data[q];
  out.damage = HeaderDamage.None;
  if (type === (v6 ? ICMPV6_ECHO_REQUEST : ICMP_ECHO_REQUEST)) {
    out.srcPort = 0;
    out.dstPort = 0;
    return ProbeKind.IcmpEcho;
  }
  if (type !== (v6 ? ICMPV6_UNREACHABLE : ICMP_UNREACHABLE)) return 0;
  const inner = q + 8;
  return v6 ? quotedIpv6(data, inner, limit, out) : quotedIpv4(data, inner, limit, out);
}

/** The IPv4 datagram an ICMP error quotes: its header and at least 8 bytes of its payload (RFC 792). */
function quotedIpv4(data: Uint8Array, p: number, limit: number, out: ProbeRecord): number {
  if (p + 20 > limit) return -MalformedReason.Truncated;
  if (data[p] >> 4 !== 4) return -MalformedReason.BadHeader;
  const headerLength = (data[p] & 0x0f) << 2;
  if (headerLength < 20) return -MalformedReason.BadHeader;
  out.family = 4;
  out.src4 = ((data[p + 16] << 24) | (data[p + 17] << 16) | (data[p + 18] << 8) | data[p + 19]) >>> 0;
  out.dst4 = ((data[p + 12] << 24) | (data[p + 13] << 16) | (data[p + 14] << 8) | data[p + 15]) >>> 0;
  quotedPorts(data, p + headerLength, limit, data[p + 9], out);
  return ProbeKind.IcmpUnreachable;
}

function quotedIpv6(data: Uint8Array, p: number, limit: number, out: ProbeRecord): number {
  if (p + 40 > limit) return -MalformedReason.Truncated;
  if (data[p] >> 4 !== 6) return -MalformedReason.BadHeader;
  out.family = 6;
  for (let i = 0; i < 4; i++) {
    const s = p + 24 + 4 * i;
    const d = p + 8 + 4 * i;
    out.src6[i] = (data[s] << 24) | (data[s + 1] << 16) | (data[s + 2] << 8) | data[s + 3];
    out.dst6[i] = (data[d] << 24) | (data[d + 1] << 16) | (data[d + 2] << 8) | data[d + 3];
  }
  quotedPorts(data, p + 40, limit, data[p + 6], out);
  return ProbeKind.IcmpUnreachable;
}

/** Ports of a quoted TCP or UDP header, swapped to the reply's view; 0 when not quoted (host unreachable, other protocols). */
function quotedPorts(data: Uint8Array, q: number, limit: number, protocol: number, out: ProbeRecord): void {
  if ((protocol === IPPROTO_TCP || protocol === IPPROTO_UDP) && q + 4 <= limit) {
    out.srcPort = (data[q + 2] << 8) | data[q + 3];
    out.dstPort = (data[q] << 8) | data[q + 1];
  } else {
    out.srcPort = 0;
    out.dstPort = 0;
  }
}
