import { LinkType } from '../../packets/syn-record.js';

const ETHERNET: number = LinkType.Ethernet;

/**
 * Kernel (BPF) filters that let only connection-opening TCP segments (SYN set, ACK clear), and the
 * fragments of TCP datagrams (which may reassemble into one), reach JavaScript. The filter is an
 * optimisation: the decoder still checks every frame it is given.
 *
 * libpcap 1.10 has no `tcp[]` for IPv6 ("expression rejects all packets"), so IPv6 is matched by
 * offsets: TCP right after the 40-byte header (flags at byte 53), or after one extension header whose
 * length BPF computes. Chains of two or more extension headers are let through whole for the decoder
 * to walk (rare in practice); everything else, such as MLD reports (hop-by-hop, then ICMPv6), is not.
 */

/** IPv4: libpcap computes the header length and skips non-first fragments itself. */
const SYN_IPV4 = 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn';
/**
 * Every fragment of a TCP datagram (MF set or offset > 0): `nmap -f` puts the flags in a later fragment, so
 * none can be judged alone; the decoder's fragment table reassembles them and counts a SYN once.
 */
const TCP_FRAGMENT_IPV4 = 'ip[6:2] & 0x3fff != 0 and ip[9] == 6';

/** TCP flags byte `at` (an expression) has SYN (0x02) set and ACK (0x10) clear. */
const synAt = (at: string): string => `ip6[${at}] & 0x12 == 0x02`;

/** IPv6 next-header values of extension headers a TCP segment may follow. */
const IPV6_EXTENSION_HEADERS = [0, 43, 44, 51, 60] as const;
const isExtensionAt = (at: number): string => IPV6_EXTENSION_HEADERS.map((h) => `ip6[${at}] == ${h}`).join(' or ');

const SYN_IPV6_PLAIN = `ip6[6] == 6 and ${synAt('53')}`;
/** Hop-by-hop, routing, destination options: length in 8-byte units after the first 8. */
const SYN_IPV6_AFTER_OPTIONS = `(ip6[6] == 0 or ip6[6] == 43 or ip6[6] == 60) and ip6[40] == 6 and ${synAt('40 + (ip6[41] + 1) * 8 + 13')}`;
/** Fragment header (8 bytes): only a first fragment (offset 0) carries the TCP header. */
const SYN_IPV6_AFTER_FRAGMENT = `ip6[6] == 44 and ip6[40] == 6 and ip6[42:2] & 0xfff8 == 0 and ${synAt('61')}`;
/** Authentication header: length in 4-byte units after the first 8. */
const SYN_IPV6_AFTER_AH = `ip6[6] == 51 and ip6[40] == 6 and ${synAt('40 + (ip6[41] + 2) * 4 + 13')}`;
const IPV6_LONG_CHAIN = `(${isExtensionAt(6)}) and (${isExtensionAt(40)})`;
/**
 * Every fragment of a TCP datagram whose fragment header comes first (offset or M set; not an atomic
 * fragment), for the fragment table. A fragment header after another extension header passes as a long chain.
 */
const TCP_FRAGMENT_IPV6 = 'ip6[6] == 44 and ip6[40] == 6 and ip6[42:2] & 0xfff9 != 0';

// Fragments first: a load past the packet's end (a tiny fragment's flags) ends a BPF program with "drop".
const SYN_IPV6 = [TCP_FRAGMENT_IPV6, SYN_IPV6_PLAIN, SYN_IPV6_AFTER_OPTIONS, SYN_IPV6_AFTER_FRAGMENT, SYN_IPV6_AFTER_AH, IPV6_LONG_CHAIN].map((c) => `(${c})`).join(' or ');

/** Untagged SYNs and TCP fragments, IPv4 and IPv6. */
export const SYN_FILTER_UNTAGGED = `(${TCP_FRAGMENT_IPV4}) or (${SYN_IPV4}) or (ip6 and (${SYN_IPV6}))`;

/**
 * Untagged, 802.1Q/802.1ad-tagged and double-tagged (QinQ) SYNs, for Ethernet links. On Linux the kernel
 * usually moves the outer tag out of the packet; libpcap's `vlan` then tests that metadata instead.
 */
export const SYN_FILTER_TAGGED = `${SYN_FILTER_UNTAGGED} or (vlan and (${SYN_FILTER_UNTAGGED} or (vlan and (${SYN_FILTER_UNTAGGED}))))`;

/** A filter valid on every link type that matches nothing: used to learn an interface's link type. */
export const MATCH_NOTHING_FILTER = 'less 0';

/**
 * The SYN filter for a link type. libpcap refuses `vlan` on anything but Ethernet-like links
 * ("no VLAN support for Linux cooked v1"); on `any` the kernel has already moved tags out of the packet.
 */
export function synFilterFor(linkType: number): string {
  return linkType === ETHERNET ? SYN_FILTER_TAGGED : SYN_FILTER_UNTAGGED;
}
