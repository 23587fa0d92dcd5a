import type { SynRecord } from './syn-record.js';

/**
 * What a frame is to a scan detector. Probes are what a scanner sends; replies are what a probed host
 * answers, which the scan attribution uses as outcomes. Numbers index per-kind counters: keep them dense.
 */
export const ProbeKind = {
  /** SYN set, ACK clear: a connection opening (connect and half-open scans). The seed's bitmaps count only this. */
  Syn: 1,
  /** FIN alone (nmap -sF). */
  Fin: 2,
  /** No flags at all (nmap -sN). */
  Null: 3,
  /** FIN, PSH and URG (nmap -sX). */
  Xmas: 4,
  /** FIN and ACK without data (nmap -sM; also every orderly close, which flags cannot tell apart). */
  Maimon: 5,
  /** ACK alone without data (nmap -sA, -sW, -PA; also a pure ACK in a connection). */
  Ack: 6,
  /** Any UDP datagram (nmap -sU, masscan -pU; also ordinary DNS or QUIC). */
  Udp: 7,
  /** ICMP or ICMPv6 echo request (ping sweeps, nmap -PE). */
  IcmpEcho: 8,
  /** SYN and ACK: a port answered open. */
  SynAck: 9,
  /** RST: a port answered closed (or a connection was reset). */
  Rst: 10,
  /** ICMP destination unreachable (port or host), about a datagram the prober sent. */
  IcmpUnreachable: 11,
} as const;
export type ProbeKind = (typeof ProbeKind)[keyof typeof ProbeKind];

/** Kinds from here on are replies: their source is the probed host, their destination the prober. */
export const FIRST_REPLY_KIND = ProbeKind.SynAck;
/** Counter slots per direction (index 0 unused, so a kind is its own index). */
export const PROBE_KIND_SLOTS = 12;
/** Names as reports and exporters spell them, indexed by kind. */
export const PROBE_KIND_NAMES = ['', 'syn', 'fin', 'null', 'xmas', 'maimon', 'ack', 'udp', 'icmpEcho', 'synAck', 'rst', 'icmpUnreachable'] as const;
export type ProbeKindName = Exclude<(typeof PROBE_KIND_NAMES)[number], ''>;

/** Why a frame could not be classified; the decoder returns the negated reason. */
export const MalformedReason = {
  /** The capture ends inside a header that is needed (not a snaplen cut past what is read). */
  Truncated: 1,
  /** A header field contradicts itself or its neighbours (IHL < 5, data offset < 5, version mismatch). */
  BadHeader: 2,
  /** More nested encapsulations (VLAN tags, tunnels, MPLS labels, extension headers) than the bound. */
  TunnelTooDeep: 3,
  /** A link type the decoder does not know. */
  UnsupportedLink: 4,
  /** A first fragment too short to hold the transport header (tiny-fragment evasion or damage). */
  FragmentTooShort: 5,
} as const;
export const MALFORMED_REASON_SLOTS = 6;
export const MALFORMED_REASON_NAMES = ['', 'truncated', 'badHeader', 'tunnelTooDeep', 'unsupportedLink', 'fragmentTooShort'] as const;
export type MalformedReasonName = Exclude<(typeof MALFORMED_REASON_NAMES)[number], ''>;

/** Header damage the decoder read past because what it needs was intact (counted apart from malformed). */
export const HeaderDamage = {
  None: 0,
  /** TCP options claimed past the IP payload (Mirai SYNs with options in the Ethernet trailer). */
  TcpOptionsPastPayload: 1,
} as const;

/** Decoder results that are neither a ProbeKind nor 0; above every kind so `kind < FIRST_REPLY_KIND` tests stay exact. */
export const DecodeOutcome = {
  /** An IP fragment of a TCP, UDP or ICMP datagram: `record.fragment` says where it is; a FragmentTable decides. */
  Fragment: 64,
} as const;

/** One IP fragment as the decoder found it (written only when the result is DecodeOutcome.Fragment). */
export interface FragmentFields {
  /** IPv4 identification (16 bits) or IPv6 fragment identification (32 bits, unsigned). */
  id: number;
  /** Upper-layer protocol: 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6. */
  protocol: number;
  /** Where this fragment's data starts in the datagram's payload, in bytes. */
  offset: number;
  /** More fragments follow (MF / M flag). */
  more: boolean;
  /** Where the fragment's data starts in the frame. */
  start: number;
  /** Bytes of data the IP header claims for this fragment. */
  length: number;
  /** Bytes of it that were captured, `data[start, start + captured)`; fewer than `length` after a snaplen cut. */
  captured: number;
}

/** The decoder's output for a probe or reply; one instance reused for every frame. */
export interface ProbeRecord extends SynRecord {
  /** Damage read past (HeaderDamage), 0 for a clean frame. */
  damage: number;
  /** Filled (with the addresses and family) when the decoder returns DecodeOutcome.Fragment. */
  readonly fragment: FragmentFields;
}

export function createProbeRecord(): ProbeRecord {
  const fragment: FragmentFields = { id: 0, protocol: 0, offset: 0, more: false, start: 0, length: 0, captured: 0 };
  return { family: 4, src4: 0, dst4: 0, src6: new Uint32Array(4), dst6: new Uint32Array(4), srcPort: 0, dstPort: 0, damage: 0, fragment };
}
