// Shared dev tooling (support/): used by both test/ and bench/, shipped by neither.
/**
 * A small frame builder for tests: TCP/UDP segments in IPv4 (options, fragments) or IPv6 (extension
 * headers), wrapped in Ethernet (with VLAN tags), Linux cooked v1/v2, raw IP or BSD null framing.
 * Written independently of the decoder so that tests compare two separate readings of the formats.
 */

export const TcpFlags = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20 } as const;

export const EtherType = { IPv4: 0x0800, IPv6: 0x86dd, ARP: 0x0806, VLAN: 0x8100, QinQ: 0x88a8, QinQOld: 0x9100 } as const;

export const IpProtocol = { HopByHop: 0, TCP: 6, UDP: 17, Routing: 43, Fragment: 44, ESP: 50, AH: 51, ICMPv6: 58, NoNext: 59, DestinationOptions: 60 } as const;

export interface TcpSpec {
  srcPort?: number;
  dstPort?: number;
  flags?: number;
  /** TCP options, padded to a multiple of 4 bytes. */
  options?: ArrayLike<number>;
  /** Overrides the data offset field (32-bit words), to build inconsistent headers. */
  dataOffset?: number;
  payload?: ArrayLike<number>;
  seq?: number;
}

/** MSS 1460, SACK permitted, timestamps, window scale: what Linux puts in a SYN (doff 10). */
export const LINUX_SYN_OPTIONS = [2, 4, 5, 180, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];

export function tcpSegment(spec: TcpSpec = {}): Uint8Array {
  const options = padTo4(spec.options ?? []);
  const payload = spec.payload ?? [];
  const out = new Uint8Array(20 + options.length + payload.length);
  put16(out, 0, spec.srcPort ?? 40000);
  put16(out, 2, spec.dstPort ?? 80);
  put32(out, 4, spec.seq ?? 0x01020304);
  put32(out, 8, (spec.flags ?? TcpFlags.SYN) & TcpFlags.ACK ? 0x0a0b0c0d : 0);
  out[12] = (spec.dataOffset ?? 5 + options.length / 4) << 4;
  out[13] = spec.flags ?? TcpFlags.SYN;
  put16(out, 14, 64240);
  out.set(options, 20);
  out.set(payload, 20 + options.length);
  return out;
}

export function udpDatagram(srcPort: number, dstPort: number, payload: ArrayLike<number> = []): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  put16(out, 0, srcPort);
  put16(out, 2, dstPort);
  put16(out, 4, out.length);
  put16(out, 6, 0x1234); // not verified by anyone, but 0 is illegal over IPv6
  out.set(payload, 8);
  return out;
}

export interface Ipv4Spec {
  src?: string;
  dst?: string;
  protocol?: number;
  /** IPv4 options, padded to a multiple of 4 bytes with End-of-List. */
  options?: ArrayLike<number>;
  /** Overrides IHL (32-bit words). */
  headerWords?: number;
  /** Overrides the total length field. */
  totalLength?: number;
  /** Fragment offset in 8-byte units. */
  fragmentOffset?: number;
  moreFragments?: boolean;
  id?: number;
  ttl?: number;
}

export function ipv4Packet(spec: Ipv4Spec, payload: Uint8Array): Uint8Array {
  const options = padTo4(spec.options ?? []);
  const headerLength = 20 + options.length;
  const out = new Uint8Array(headerLength + payload.length);
  out[0] = 0x40 | (spec.headerWords ?? headerLength / 4);
  put16(out, 2, spec.totalLength ?? out.length);
  put16(out, 4, spec.id ?? 0x1234);
  put16(out, 6, (spec.moreFragments ? 0x2000 : 0) | (spec.fragmentOffset ?? 0));
  out[8] = spec.ttl ?? 64;
  out[9] = spec.protocol ?? IpProtocol.TCP;
  out.set(ipv4Bytes(spec.src ?? '192.0.2.1'), 12);
  out.set(ipv4Bytes(spec.dst ?? '198.51.100.2'), 16);
  out.set(options, 20);
  put16(out, 10, internetChecksum(out.subarray(0, headerLength)));
  out.set(payload, headerLength);
  return out;
}

export type Ipv6Extension =
  | { kind: 'hop-by-hop' | 'destination'; /** extra 8-byte units beyond the first 8 bytes */ units?: number }
  | { kind: 'routing'; units?: number; /** 0 by default (deprecated, Wireshark warns); 2 is Mobile IPv6 */ routingType?: number; segmentsLeft?: number }
  | { kind: 'fragment'; /** offset in 8-byte units */ offset?: number; more?: boolean }
  | { kind: 'ah'; /** ICV bytes, a multiple of 4 */ icvBytes?: number };

export interface Ipv6Spec {
  src?: string;
  dst?: string;
  /** The upper-layer protocol after the extension headers (TCP by default). */
  protocol?: number;
  extensions?: Ipv6Extension[];
  /** Overrides the payload length field. */
  payloadLength?: number;
}

const extensionNumber = { 'hop-by-hop': 0, routing: 43, destination: 60, fragment: 44, ah: 51 } as const;

export function ipv6Packet(spec: Ipv6Spec, payload: Uint8Array): Uint8Array {
  const extensions = spec.extensions ?? [];
  const chain: Uint8Array[] = [];
  for (let i = 0; i < extensions.length; i++) {
    const next = i + 1 < extensions.length ? extensionNumber[extensions[i + 1].kind] : (spec.protocol ?? IpProtocol.TCP);
    chain.push(ipv6ExtensionHeader(extensions[i], next));
  }
  const headers = concat(chain);
  const out = new Uint8Array(40 + headers.length + payload.length);
  out[0] = 0x60;
  put16(out, 4, spec.payloadLength ?? headers.length + payload.length);
  out[6] = extensions.length > 0 ? extensionNumber[extensions[0].kind] : (spec.protocol ?? IpProtocol.TCP);
  out[7] = 64;
  out.set(ipv6Bytes(spec.src ?? '2001:db8::1'), 8);
  out.set(ipv6Bytes(spec.dst ?? '2001:db8::2'), 24);
  out.set(headers, 40);
  out.set(payload, 40 + headers.length);
  return out;
}

function ipv6ExtensionHeader(ext: Ipv6Extension, next: number): Uint8Array {
  if (ext.kind === 'fragment') {
    const out = new Uint8Array(8);
    out[0] = next;
    put16(out, 2, ((ext.offset ?? 0) << 3) | (ext.more ? 1 : 0));
    put32(out, 4, 0xfeed);
    return out;
  }
  if (ext.kind === 'ah') {
    const out = new Uint8Array(12 + (ext.icvBytes ?? 12));
    out[0] = next;
    out[1] = out.length / 4 - 2;
    put32(out, 4, 0x100); // SPI
    put32(out, 8, 1); // sequence number
    return out;
  }
  const units = ext.units ?? 0;
  const out = new Uint8Array((units + 1) * 8);
  out[0] = next;
  out[1] = units;
  if (ext.kind === 'routing') {
    out[2] = ext.routingType ?? 0;
    out[3] = ext.segmentsLeft ?? 0;
  } else {
    // Options area filled with PadN options (at most 257 bytes each).
    for (let p = 2; p < out.length; ) {
      const n = Math.min(out.length - p, 257);
      if (n === 1) break; // cannot happen: option areas are 6 + 8k bytes
      out[p] = 1;
      out[p + 1] = n - 2;
      p += n;
    }
  }
  return out;
}

export interface VlanTag {
  tpid?: number;
  vlan: number;
}

export function ethernetFrame(etherType: number, payload: Uint8Array, tags: VlanTag[] = []): Uint8Array {
  const out = new Uint8Array(14 + 4 * tags.length + payload.length);
  out.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01], 0);
  let p = 12;
  for (const tag of tags) {
    put16(out, p, tag.tpid ?? EtherType.VLAN);
    put16(out, p + 2, tag.vlan & 0x0fff);
    p += 4;
  }
  put16(out, p, etherType);
  out.set(payload, p + 2);
  return out;
}

/** Linux cooked v1 (LINKTYPE_LINUX_SLL): packet type, ARPHRD, address length, 8 address bytes, protocol. */
export function sllFrame(protocol: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + payload.length);
  put16(out, 0, 0); // to us
  put16(out, 2, 1); // ARPHRD_ETHER
  put16(out, 4, 6);
  out.set([0x02, 0, 0, 0, 0, 0x01], 6);
  put16(out, 14, protocol);
  out.set(payload, 16);
  return out;
}

/** Linux cooked v2 (LINKTYPE_LINUX_SLL2): protocol, reserved, ifindex, ARPHRD, packet type, address. */
export function sll2Frame(protocol: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(20 + payload.length);
  put16(out, 0, protocol);
  put32(out, 4, 2); // interface index
  put16(out, 8, 1); // ARPHRD_ETHER
  out[10] = 0; // to us
  out[11] = 6;
  out.set([0x02, 0, 0, 0, 0, 0x01], 12);
  out.set(payload, 20);
  return out;
}

/** BSD loopback: the address family as a 4-byte integer in the capturing host's byte order. */
export function nullFrame(family: number, payload: Uint8Array, littleEndian = true): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  if (littleEndian) out.set([family & 0xff, (family >>> 8) & 0xff, (family >>> 16) & 0xff, family >>> 24], 0);
  else put32(out, 0, family);
  out.set(payload, 4);
  return out;
}

export type LinkKind = 'ethernet' | 'sll' | 'sll2' | 'raw' | 'null';

/** libpcap link type of each framing (raw uses LINKTYPE_RAW 101). */
export const linkTypeOf: Record<LinkKind, number> = { ethernet: 1, sll: 113, sll2: 276, raw: 101, null: 0 };

export interface Framing {
  link: LinkKind;
  /** Ethernet only: VLAN tags, outermost first. */
  tags?: VlanTag[];
  /** Null only: write the family big-endian (a big-endian capturing host). */
  bigEndian?: boolean;
  /** Null only: the IPv6 family value (24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS). */
  inet6Family?: number;
}

/** Wraps an IP packet (version read from its first nibble) in the given framing. */
export function frameIp(framing: Framing, ipPacket: Uint8Array): Uint8Array {
  const v6 = ipPacket[0] >> 4 === 6;
  const etherType = v6 ? EtherType.IPv6 : EtherType.IPv4;
  switch (framing.link) {
    case 'ethernet':
      return ethernetFrame(etherType, ipPacket, framing.tags);
    case 'sll':
      return sllFrame(etherType, ipPacket);
    case 'sll2':
      return sll2Frame(etherType, ipPacket);
    case 'raw':
      return ipPacket.slice();
    case 'null':
      return nullFrame(v6 ? (framing.inet6Family ?? 30) : 2, ipPacket, !framing.bigEndian);
  }
}

export interface TcpFrameSpec extends Framing {
  /** IPv6 when given, IPv4 otherwise. */
  ipv6?: Ipv6Spec;
  ipv4?: Ipv4Spec;
  tcp?: TcpSpec;
}

/** One TCP segment in IP in a link framing: the usual shape of a test frame. */
export function tcpFrame(spec: TcpFrameSpec): Uint8Array {
  const segment = tcpSegment(spec.tcp);
  const packet = spec.ipv6 ? ipv6Packet(spec.ipv6, segment) : ipv4Packet(spec.ipv4 ?? {}, segment);
  return frameIp(spec, packet);
}

export function ipv4Bytes(address: string): Uint8Array {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) throw new Error(`not an IPv4 address: ${address}`);
  return Uint8Array.from(parts);
}

/** The address as the decoder reports it: an unsigned 32-bit integer. */
export function ipv4Number(address: string): number {
  const b = ipv4Bytes(address);
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

export function ipv6Bytes(address: string): Uint8Array {
  const halves = address.split('::');
  if (halves.length > 2) throw new Error(`not an IPv6 address: ${address}`);
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...new Array<string>(fill).fill('0'), ...tail];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) throw new Error(`not an IPv6 address: ${address}`);
  const out = new Uint8Array(16);
  groups.forEach((g, i) => put16(out, i * 2, parseInt(g, 16)));
  return out;
}

/** The address as the decoder reports it: four big-endian 32-bit words. */
export function ipv6Words(address: string): number[] {
  const b = ipv6Bytes(address);
  return [0, 4, 8, 12].map((i) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

function padTo4(bytes: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
  out.set(Array.from(bytes));
  return out;
}

function internetChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function put16(out: Uint8Array, p: number, value: number): void {
  out[p] = (value >>> 8) & 0xff;
  out[p + 1] = value & 0xff;
}

function put32(out: Uint8Array, p: number, value: number): void {
  out[p] = value >>> 24;
  out[p + 1] = (value >>> 16) & 0xff;
  out[p + 2] = (value >>> 8) & 0xff;
  out[p + 3] = value & 0xff;
}
