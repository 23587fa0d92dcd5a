import { DEFAULT_PROBE_SETS, normalizeProbeSets, type ProbeSetName } from '../../packets/probe-set.js';
import { LinkType } from '../../packets/syn-record.js';

const ETHERNET: number = LinkType.Ethernet;

/**
 * Kernel (BPF) filters that let exactly the probe kinds `-probes` enables (probe-set.ts), and the fragments of
 * datagrams that may reassemble into one, reach JavaScript: every frame the filter passes costs a wakeup, a
 * copy and a decode, so an established connection's data segments and ACKs must stay in the kernel. The
 * filter is an optimisation: the decoder still checks every frame, and the detector's mask drops kinds that
 * are off, so a filter that passes a little more than asked changes no count.
 *
 * TCP kinds test the flags byte as decode-transport.ts classifies it: SYN = SYN without ACK; SYN-ACK = both;
 * RST = RST without SYN; FIN (0x01), NULL (0), Xmas (FIN|PSH|URG) by the six classic flags; Maimon (FIN|ACK)
 * and ACK only without payload (IP length = IP header + TCP header), since bulk data segments carry ACK alone.
 *
 * libpcap 1.10 has no `tcp[]` for IPv6 ("expression rejects all packets"), so IPv6 is matched by offsets:
 * the transport header right after the 40-byte header, or after one extension header whose length BPF
 * computes. Chains of two or more extension headers are let through whole for the decoder to walk (rare in
 * practice); everything else, such as MLD reports (hop-by-hop, then ICMPv6), is not.
 */

/** A TCP test on the flags byte `f` (a BPF byte expression), given the "no payload" test `empty`. */
type TcpTest = (f: string, empty: string) => string;

const TCP_TESTS: Partial<Record<ProbeSetName, TcpTest>> = {
  syn: (f) => `${f} & 0x12 == 0x02`,
  stealth: (f, empty) => `${f} & 0x3f == 0x01 or ${f} & 0x3f == 0 or ${f} & 0x3f == 0x29 or (${f} & 0x3f == 0x11 and ${empty})`,
  ack: (f, empty) => `${f} & 0x3f == 0x10 and ${empty}`,
  replies: (f) => `${f} & 0x12 == 0x12 or ${f} & 0x06 == 0x04`,
};

const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;

/** Transport protocols whose fragments must pass: any fragment may complete a probe's header (nmap -f). */
function fragmentProtocols(sets: readonly ProbeSetName[], icmp: number): number[] {
  const protocols = [IPPROTO_TCP];
  if (sets.includes('udp')) protocols.push(IPPROTO_UDP);
  if (sets.includes('icmp') || sets.includes('replies')) protocols.push(icmp);
  return protocols;
}

const anyOf = (clauses: readonly string[]): string => clauses.map((c) => `(${c})`).join(' or ');
const oneOf = (at: string, values: readonly number[]): string => values.map((v) => `${at} == ${v}`).join(' or ');

function ipv4(sets: readonly ProbeSetName[]): string[] {
  const clauses = [`ip[6:2] & 0x3fff != 0 and (${oneOf('ip[9]', fragmentProtocols(sets, IPPROTO_ICMP))})`];
  if (sets.includes('tunnels')) clauses.push('ip[9] == 47');
  if (sets.includes('udp')) clauses.push('udp');
  const icmpTypes = [...(sets.includes('icmp') ? ['icmp-echo'] : []), ...(sets.includes('replies') ? ['icmp-unreach'] : [])];
  if (icmpTypes.length > 0) clauses.push(icmpTypes.map((t) => `icmp[icmptype] == ${t}`).join(' or '));
  // libpcap computes the header length and skips non-first fragments for tcp[].
  const empty = 'ip[2:2] == ((ip[0] & 0x0f) << 2) + ((tcp[12] & 0xf0) >> 2)';
  const tcp = sets.flatMap((name) => TCP_TESTS[name]?.('tcp[13]', empty) ?? []);
  clauses.push(anyOf(tcp));
  return clauses;
}

/** The test for a transport header of protocol `p` at IPv6 offset `t` (an expression): '' passes all, null none. */
function ipv6Transport(sets: readonly ProbeSetName[], p: number, t: string): string | null {
  if (p === IPPROTO_TCP) {
    const empty = `ip6[4:2] + 40 == ${t} + ((ip6[${t} + 12] & 0xf0) >> 2)`;
    return anyOf(sets.flatMap((name) => TCP_TESTS[name]?.(`ip6[${t} + 13]`, empty) ?? []));
  }
  if (p === IPPROTO_UDP) return sets.includes('udp') ? '' : null; // the protocol alone decides
  const types = [...(sets.includes('icmp') ? [128] : []), ...(sets.includes('replies') ? [1] : [])];
  return types.length > 0 ? oneOf(`ip6[${t}]`, types) : null;
}

/** IPv6 next-header values of extension headers a transport header may follow. */
const IPV6_EXTENSION_HEADERS = [0, 43, 44, 51, 60] as const;

function ipv6(sets: readonly ProbeSetName[]): string[] {
  // Fragments first: a load past the packet's end (a tiny fragment's flags) ends a BPF program with "drop".
  // Every fragment whose fragment header comes first (offset or M set; not an atomic fragment) may be needed.
  const clauses = [`ip6[6] == 44 and (${oneOf('ip6[40]', fragmentProtocols(sets, IPPROTO_ICMPV6))}) and ip6[42:2] & 0xfff9 != 0`];
  if (sets.includes('tunnels')) clauses.push('ip6[6] == 47');
  for (const p of [IPPROTO_UDP, IPPROTO_ICMPV6, IPPROTO_TCP]) {
    if (ipv6Transport(sets, p, '40') === null) continue;
    const at = (header: string, t: string): string => {
      const test = ipv6Transport(sets, p, t)!;
      return test === '' ? header : `${header} and (${test})`;
    };
    clauses.push(at(`ip6[6] == ${p}`, '40'));
    // Hop-by-hop, routing, destination options: length in 8-byte units after the first 8.
    clauses.push(at(`(ip6[6] == 0 or ip6[6] == 43 or ip6[6] == 60) and ip6[40] == ${p}`, '40 + (ip6[41] + 1) * 8'));
    // Fragment header (8 bytes): only a first fragment (offset 0) carries the transport header.
    clauses.push(at(`ip6[6] == 44 and ip6[40] == ${p} and ip6[42:2] & 0xfff8 == 0`, '48'));
    // Authentication header: length in 4-byte units after the first 8.
    clauses.push(at(`ip6[6] == 51 and ip6[40] == ${p}`, '40 + (ip6[41] + 2) * 4'));
  }
  const isExtensionAt = (at: number): string => oneOf(`ip6[${at}]`, IPV6_EXTENSION_HEADERS);
  clauses.push(`(${isExtensionAt(6)}) and (${isExtensionAt(40)})`);
  return clauses;
}

/** The filter for untagged frames (and links where libpcap has no `vlan`). */
export function probeFilterUntagged(probeSets: readonly ProbeSetName[]): string {
  const sets = normalizeProbeSets(probeSets);
  const tunnels = sets.includes('tunnels') ? ['udp dst port 4789 or udp dst port 6081'] : [];
  return anyOf([...tunnels, ...ipv4(sets), `ip6 and (${anyOf(ipv6(sets))})`]);
}

/**
 * VLAN tags the Ethernet filter looks through (the decoder follows 16). BPF has no loops and libpcap's `vlan`
 * shifts every offset after it, so each level repeats the whole untagged program: about 320 instructions a
 * level with the default probes, 460 with every value. The kernel converts a socket's classic BPF program to
 * eBPF and refuses it when the result is too long: measured on Linux 6.x, 1456 classic instructions were
 * taken and 1754 refused ("Kernel filter failed: Invalid argument"), after which libpcap filters in user
 * space, copying every packet out of the kernel. Three tags keep the default probes at 1398 instructions;
 * a larger selection gets two (1456 with every value). Deeper stacks reach the decoder only through `any`
 * or a mirror port without a kernel filter; the decoder follows 16.
 */
export const FILTER_VLAN_DEPTH = 3;
/** Tags looked through when the selection goes beyond the default probes (the program per level is longer). */
export const FILTER_VLAN_DEPTH_LARGE = 2;

/** The tag depth that keeps the kernel filter in the kernel for this selection. */
export function filterVlanDepth(probeSets: readonly ProbeSetName[]): number {
  return normalizeProbeSets(probeSets).every((s) => DEFAULT_PROBE_SETS.includes(s)) ? FILTER_VLAN_DEPTH : FILTER_VLAN_DEPTH_LARGE;
}

/** The filter for Ethernet links: untagged, and 1 to `depth` stacked 802.1Q/802.1ad tags. */
export function probeFilterTagged(probeSets: readonly ProbeSetName[], depth = filterVlanDepth(probeSets)): string {
  const untagged = probeFilterUntagged(probeSets);
  let filter = untagged;
  for (let level = 0; level < depth; level++) filter = `${untagged} or (vlan and (${filter}))`;
  return filter;
}

/** SYN-only filters (the seed's kind), as benches and tools that count SYNs use them. */
export const SYN_FILTER_UNTAGGED = probeFilterUntagged(['syn']);
export const SYN_FILTER_TAGGED = probeFilterTagged(['syn']);

/** A filter valid on every link type that matches nothing: used to learn an interface's link type. */
export const MATCH_NOTHING_FILTER = 'less 0';

/**
 * The filter for a link type and probe sets. libpcap refuses `vlan` on anything but Ethernet-like links
 * ("no VLAN support for Linux cooked v1"); on `any` the kernel has already moved tags out of the packet.
 */
export function probeFilterFor(linkType: number, probeSets: readonly ProbeSetName[]): string {
  return linkType === ETHERNET ? probeFilterTagged(probeSets) : probeFilterUntagged(probeSets);
}

/** The SYN-only filter for a link type. */
export function synFilterFor(linkType: number): string {
  return probeFilterFor(linkType, ['syn']);
}
