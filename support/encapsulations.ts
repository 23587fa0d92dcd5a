// Shared dev tooling (support/): used by both test/ and bench/, shipped by neither.
/**
 * Frame builders for tunnels (GRE, ERSPAN, VXLAN, Geneve, MPLS, PPPoE, IP-in-IP) and the link types past
 * Ethernet (PPP, Cisco HDLC, NFLOG, radiotap, 802.11, raw IPv4/IPv6), written from the RFCs and libpcap's
 * LINKTYPE pages independently of the decoder. `encapsulate` wraps one IP packet in any of them.
 */
import { concat, ethernetFrame, EtherType, ipv4Packet, ipv6Packet, udpDatagram } from './frames.js';

export const TunnelEtherType = { TEB: 0x6558, ERSPAN12: 0x88be, ERSPAN3: 0x22eb, MPLS: 0x8847, PPPoESession: 0x8864 } as const;
export const GRE_PROTOCOL = 47;

const etherTypeOf = (ip: Uint8Array): number => (ip[0] >> 4 === 6 ? EtherType.IPv6 : EtherType.IPv4);
const be16 = (v: number): number[] => [(v >>> 8) & 0xff, v & 0xff];
const be32 = (v: number): number[] => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

export interface GreSpec {
  checksum?: boolean;
  key?: boolean;
  sequence?: boolean;
  version?: number;
}

/** RFC 2784/2890 GRE: flags, version, protocol type, then checksum+reserved, key, sequence as flagged. */
export function greHeader(protocol: number, spec: GreSpec = {}): Uint8Array {
  const flags = (spec.checksum ? 0x80 : 0) | (spec.key ? 0x20 : 0) | (spec.sequence ? 0x10 : 0);
  const bytes = [flags, spec.version ?? 0, ...be16(protocol)];
  if (spec.checksum) bytes.push(0, 0, 0, 0); // checksum 0: Wireshark does not verify it by default
  if (spec.key) bytes.push(...be32(0x00010203));
  if (spec.sequence) bytes.push(...be32(7));
  return Uint8Array.from(bytes);
}

/** An outer IPv4 or IPv6 datagram around `payload` with protocol `protocol`. */
export function outerIp(v6: boolean, protocol: number, payload: Uint8Array): Uint8Array {
  return v6 ? ipv6Packet({ src: '2001:db8:ffff::1', dst: '2001:db8:ffff::2', protocol }, payload) : ipv4Packet({ src: '203.0.113.1', dst: '203.0.113.2', protocol }, payload);
}

/** ERSPAN type II header (version 1, session 5); GRE must carry a sequence number. */
export function erspan2Header(): Uint8Array {
  return Uint8Array.from([0x10, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00]);
}

/** ERSPAN type III header (version 2); the O bit adds an 8-byte platform-specific subheader. */
export function erspan3Header(platform: boolean): Uint8Array {
  const head = [0x20, 0x00, 0x00, 0x05, ...be32(0x11223344), 0x00, 0x00, 0x00, platform ? 0x01 : 0x00];
  return Uint8Array.from(platform ? [...head, 0x0c, 0, 0, 0, 0, 0, 0, 0] : head);
}

export function vxlanHeader(vni = 42): Uint8Array {
  return Uint8Array.from([0x08, 0, 0, 0, ...be32(vni << 8)]);
}

/** Geneve: version 0, options in 4-byte words, protocol type; options are filled with one TLV class per word. */
export function genevePacket(protocol: number, payload: Uint8Array, optionWords = 0): Uint8Array {
  const options = new Uint8Array(optionWords * 4);
  if (optionWords > 0) options.set([0x01, 0x02, 0x03, optionWords - 1], 0); // one option spanning them all
  return concat([Uint8Array.from([optionWords & 0x3f, 0, ...be16(protocol), ...be32(42 << 8)]), options, payload]);
}

/** An MPLS stack of `labels` entries (TTL 64), bottom-of-stack set on the last. */
export function mplsStack(labels: number): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < labels; i++) out.push(...be32(((100 + i) << 12) | (i === labels - 1 ? 0x100 : 0) | 64));
  return Uint8Array.from(out);
}

/** PPPoE session header (version 1, type 1, code 0, session 0x1234) and a 2-byte PPP protocol. */
export function pppoeSession(ip: Uint8Array): Uint8Array {
  const ppp = concat([Uint8Array.from(be16(ip[0] >> 4 === 6 ? 0x0057 : 0x0021)), ip]);
  return concat([Uint8Array.from([0x11, 0x00, 0x12, 0x34, ...be16(ppp.length)]), ppp]);
}

/** PPP (LINKTYPE_PPP/PPP_HDLC): optional FF 03, then a 2-byte or compressed 1-byte protocol. */
export function pppFrame(ip: Uint8Array, addressControl: boolean, compressed: boolean): Uint8Array {
  const v6 = ip[0] >> 4 === 6;
  const protocol = compressed ? [v6 ? 0x57 : 0x21] : be16(v6 ? 0x0057 : 0x0021);
  return concat([Uint8Array.from([...(addressControl ? [0xff, 0x03] : []), ...protocol]), ip]);
}

export function ciscoHdlcFrame(etherType: number, payload: Uint8Array): Uint8Array {
  return concat([Uint8Array.from([0x0f, 0x00, ...be16(etherType)]), payload]);
}

/** One netlink attribute: length (header included), type, value, padded to 4 bytes. */
function nflogTlv(type: number, value: Uint8Array, bigEndian: boolean): Uint8Array {
  const length = 4 + value.length;
  const head = bigEndian ? [...be16(length), ...be16(type)] : [length & 0xff, length >> 8, type & 0xff, type >> 8];
  const out = new Uint8Array((length + 3) & ~3);
  out.set(head, 0);
  out.set(value, 4);
  return out;
}

/** NFLOG: family, version 0, resource id, then packet header, prefix and payload attributes. */
export function nflogFrame(ip: Uint8Array, bigEndian = false): Uint8Array {
  const v6 = ip[0] >> 4 === 6;
  return concat([
    Uint8Array.from([v6 ? 10 : 2, 0, 0, 5]),
    nflogTlv(1, Uint8Array.from([...be16(etherTypeOf(ip)), 1, 0]), bigEndian), // NFULA_PACKET_HDR: hw protocol, hook
    nflogTlv(10, new TextEncoder().encode('peng\0'), bigEndian), // NFULA_PREFIX: odd length, so padding follows
    nflogTlv(9, ip, bigEndian), // NFULA_PAYLOAD
  ]);
}

export interface WlanSpec {
  toDs?: boolean;
  fromDs?: boolean;
  qos?: boolean;
  /** With qos: the Order bit, so a 4-byte HT control field follows. */
  order?: boolean;
  protectedFrame?: boolean;
}

/** An 802.11 data frame around an LLC/SNAP-encapsulated packet. */
export function wlanDataFrame(etherType: number, payload: Uint8Array, spec: WlanSpec = {}): Uint8Array {
  const control = (spec.qos ? 0x88 : 0x08); // type 2 (data), subtype 8 (QoS data) or 0
  const flags = (spec.toDs ? 0x01 : 0) | (spec.fromDs ? 0x02 : 0) | (spec.protectedFrame ? 0x40 : 0) | (spec.order ? 0x80 : 0);
  const header = [control, flags, 0x30, 0x00, 0x02, 0, 0, 0, 0, 0x0a, 0x02, 0, 0, 0, 0, 0x0b, 0x02, 0, 0, 0, 0, 0x0c, 0x10, 0x00];
  if (spec.toDs && spec.fromDs) header.push(0x02, 0, 0, 0, 0, 0x0d);
  if (spec.qos) header.push(0x00, 0x00);
  if (spec.qos && spec.order) header.push(0, 0, 0, 0);
  return concat([Uint8Array.from([...header, 0xaa, 0xaa, 0x03, 0, 0, 0, ...be16(etherType)]), payload]);
}

/** A radiotap header with no fields present (8 bytes), or with the flags field (present bit 1) padded to 12. */
export function radiotapFrame(wlan: Uint8Array, withFlags = false): Uint8Array {
  const head = withFlags ? [0, 0, 12, 0, 0x02, 0, 0, 0, 0x00, 0, 0, 0] : [0, 0, 8, 0, 0, 0, 0, 0];
  return concat([Uint8Array.from(head), wlan]);
}

export const ENCAPSULATIONS = [
  'gre-ip', 'gre-ip-keyed', 'gre-teb', 'erspan1', 'erspan2', 'erspan3', 'erspan3-platform', 'vxlan', 'geneve-eth', 'geneve-ip',
  'mpls', 'pppoe', 'pppoe-vlan', 'ipip', 'ppp', 'ppp-compressed', 'ppp-hdlc', 'cisco-hdlc', 'nflog', 'nflog-be', 'radiotap',
  'wlan', 'wlan-4addr-qos-ht', 'ipv4-link', 'ipv6-link',
] as const;
export type Encapsulation = (typeof ENCAPSULATIONS)[number];

/** libpcap link type each encapsulation is captured with (tunnels on Ethernet). */
export function linkTypeOfEncapsulation(e: Encapsulation): number {
  const byName: Partial<Record<Encapsulation, number>> = {
    ppp: 9, 'ppp-compressed': 9, 'ppp-hdlc': 50, 'cisco-hdlc': 104, nflog: 239, 'nflog-be': 239, radiotap: 127, wlan: 105, 'wlan-4addr-qos-ht': 105, 'ipv4-link': 228, 'ipv6-link': 229,
  };
  return byName[e] ?? 1;
}

/** The link-type-specific bytes ending in an IP packet, for a link type that is not Ethernet. */
function linkFrame(e: Encapsulation, ip: Uint8Array): Uint8Array | null {
  switch (e) {
    case 'ppp': return pppFrame(ip, true, false);
    case 'ppp-compressed': return pppFrame(ip, false, true);
    case 'ppp-hdlc': return pppFrame(ip, true, false);
    case 'cisco-hdlc': return ciscoHdlcFrame(etherTypeOf(ip), ip);
    case 'nflog': return nflogFrame(ip);
    case 'nflog-be': return nflogFrame(ip, true);
    case 'radiotap': return radiotapFrame(wlanDataFrame(etherTypeOf(ip), ip, { qos: true }), true);
    case 'wlan': return wlanDataFrame(etherTypeOf(ip), ip);
    case 'wlan-4addr-qos-ht': return wlanDataFrame(etherTypeOf(ip), ip, { toDs: true, fromDs: true, qos: true, order: true });
    case 'ipv4-link':
    case 'ipv6-link': return ip.slice();
    default: return null;
  }
}

/** Wraps `ip` (the innermost packet) in `e`; tunnels ride on Ethernet with an outer IP of `outerV6`. */
export function encapsulate(e: Encapsulation, ip: Uint8Array, outerV6 = false): Uint8Array {
  const link = linkFrame(e, ip);
  if (link) return link;
  const inner = ethernetFrame(etherTypeOf(ip), ip);
  const overGre = (protocol: number, spec: GreSpec, payload: Uint8Array): Uint8Array => {
    const outer = outerIp(outerV6, GRE_PROTOCOL, concat([greHeader(protocol, spec), payload]));
    return ethernetFrame(etherTypeOf(outer), outer);
  };
  const overUdp = (port: number, payload: Uint8Array): Uint8Array => {
    const outer = outerIp(outerV6, 17, udpDatagram(49152, port, payload));
    return ethernetFrame(etherTypeOf(outer), outer);
  };
  switch (e) {
    case 'gre-ip': return overGre(etherTypeOf(ip), {}, ip);
    case 'gre-ip-keyed': return overGre(etherTypeOf(ip), { checksum: true, key: true, sequence: true }, ip);
    case 'gre-teb': return overGre(TunnelEtherType.TEB, { key: true }, inner);
    case 'erspan1': return overGre(TunnelEtherType.ERSPAN12, {}, inner);
    case 'erspan2': return overGre(TunnelEtherType.ERSPAN12, { sequence: true }, concat([erspan2Header(), inner]));
    case 'erspan3': return overGre(TunnelEtherType.ERSPAN3, { sequence: true }, concat([erspan3Header(false), inner]));
    case 'erspan3-platform': return overGre(TunnelEtherType.ERSPAN3, { sequence: true }, concat([erspan3Header(true), inner]));
    case 'vxlan': return overUdp(4789, concat([vxlanHeader(), inner]));
    case 'geneve-eth': return overUdp(6081, genevePacket(TunnelEtherType.TEB, inner, 2));
    case 'geneve-ip': return overUdp(6081, genevePacket(etherTypeOf(ip), ip));
    case 'mpls': return ethernetFrame(TunnelEtherType.MPLS, concat([mplsStack(3), ip]));
    case 'pppoe': return ethernetFrame(TunnelEtherType.PPPoESession, pppoeSession(ip));
    case 'pppoe-vlan': return ethernetFrame(TunnelEtherType.PPPoESession, pppoeSession(ip), [{ tpid: EtherType.QinQ, vlan: 10 }, { vlan: 20 }]);
    case 'ipip': {
      const outer = outerIp(outerV6, ip[0] >> 4 === 6 ? 41 : 4, ip);
      return ethernetFrame(etherTypeOf(outer), outer);
    }
    default: throw new Error(`no builder for ${e}`);
  }
}
