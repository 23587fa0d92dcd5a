/**
 * The decoder's output, one instance reused for every frame so the per-packet path allocates nothing.
 * Addresses are kept as integers: IPv4 in `src4`/`dst4` (unsigned 32-bit), IPv6 in `src6`/`dst6`
 * (four big-endian 32-bit words each). Only the fields of `family` are meaningful.
 */
export interface SynRecord {
  family: 4 | 6;
  src4: number;
  dst4: number;
  readonly src6: Uint32Array;
  readonly dst6: Uint32Array;
  srcPort: number;
  dstPort: number;
}

export function createSynRecord(): SynRecord {
  return { family: 4, src4: 0, dst4: 0, src6: new Uint32Array(4), dst6: new Uint32Array(4), srcPort: 0, dstPort: 0 };
}

/** What the decoder made of one frame. */
export const DecodeResult = {
  /** A TCP segment with SYN set and ACK clear; the record holds its addresses and ports. */
  Syn: 0,
  /** A well-formed frame that is not a connection-opening TCP segment (or a non-first fragment). */
  Other: 1,
  /** Truncated or inconsistent headers: counted and skipped. */
  Malformed: 2,
  /** A link type the decoder does not know. */
  UnsupportedLink: 3,
} as const;
export type DecodeResult = (typeof DecodeResult)[keyof typeof DecodeResult];

/** libpcap LINKTYPE_* values the decoder understands. */
export const LinkType = {
  Null: 0, // BSD loopback: 4-byte address family in host byte order
  Ethernet: 1,
  Ppp: 9, // PPP, optionally with HDLC-like address and control bytes
  RawBsd: 12, // DLT_RAW on some BSDs
  RawOpenBsd: 14, // DLT_RAW on OpenBSD
  PppHdlc: 50, // PPP in HDLC-like framing (decoded as Ppp)
  Raw: 101, // LINKTYPE_RAW
  CiscoHdlc: 104,
  Ieee80211: 105, // 802.11 without radio information
  LinuxSll: 113,
  Radiotap: 127, // radiotap header, then 802.11
  Ipv4: 228, // raw IPv4 only
  Ipv6: 229, // raw IPv6 only
  Nflog: 239, // Linux netfilter log
  LinuxSll2: 276,
} as const;
