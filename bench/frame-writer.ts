/**
 * Writes Ethernet frames (optional 802.1Q / 802.1ad tags) carrying IPv4 or IPv6 TCP, UDP and ICMP, ARP
 * and a few non-IP frames into one reused scratch buffer, for the benchmark's capture generator.
 * Headers are complete; payload bytes are written only up to the capture's snapshot length.
 */

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERTYPE_LLDP = 0x88cc;

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMPV6 = 58;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

/** MSS 1460, SACK permitted, timestamps, window scale 7: what Linux puts in a SYN (20 bytes, doff 10). */
const SYN_OPTIONS = [2, 4, 5, 180, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];
/** NOP, NOP, timestamps: every other Linux segment (12 bytes, doff 8). */
const TIMESTAMP_OPTIONS = [1, 1, 8, 10, 0, 0, 0, 2, 0, 0, 0, 3];

/** Link and network layer of one frame: who talks to whom, over which framing. */
export interface Endpoints {
  v6: boolean;
  /** 0 = untagged; otherwise the 802.1Q VLAN id. */
  vlan: number;
  /** An outer 802.1ad tag in front of the 802.1Q one (provider bridging). */
  qinq: boolean;
  srcMac: number;
  dstMac: number;
  src4: number;
  dst4: number;
  src6: Uint8Array;
  dst6: Uint8Array;
}

export class FrameWriter {
  /** The frame being built; only `[0, captured)` is meaningful after a write. */
  readonly frame = new Uint8Array(2048);
  /** Bytes of the frame kept in the capture (at most the snapshot length). */
  captured = 0;
  /** Length of the frame on the wire. */
  wireLength = 0;
  private readonly snaplen: number;
  private readonly payloadPool: Uint8Array;
  private poolOffset = 0;

  /** `payloadPool` supplies payload bytes (random, so compression sees realistic data). */
  constructor(snaplen: number, payloadPool: Uint8Array) {
    this.snaplen = snaplen;
    this.payloadPool = payloadPool;
  }

  tcp(e: Endpoints, srcPort: number, dstPort: number, seq: number, ack: number, flags: number, payload: number): void {
    const options = flags & TCP_SYN ? SYN_OPTIONS : TIMESTAMP_OPTIONS;
    const headerLength = 20 + options.length;
    const f = this.frame;
    const p = this.ip(e, PROTO_TCP, headerLength + payload);
    put16(f, p, srcPort);
    put16(f, p + 2, dstPort);
    put32(f, p + 4, seq);
    put32(f, p + 8, flags & TCP_ACK ? ack : 0);
    f[p + 12] = (headerLength >> 2) << 4;
    f[p + 13] = flags;
    put16(f, p + 14, 64240);
    put16(f, p + 16, (seq ^ ack) & 0xffff); // checksum: offloaded captures carry garbage here too
    put16(f, p + 18, 0);
    f.set(options, p + 20);
    this.finish(p + headerLength, payload);
  }

  udp(e: Endpoints, srcPort: number, dstPort: number, payload: number): void {
    const f = this.frame;
    const p = this.ip(e, PROTO_UDP, 8 + payload);
    put16(f, p, srcPort);
    put16(f, p + 2, dstPort);
    put16(f, p + 4, 8 + payload);
    put16(f, p + 6, 0x5a5a);
    this.finish(p + 8, payload);
  }

  /** ICMP echo request (IPv4) or ICMPv6 echo request, with a ping's 56 payload bytes. */
  echo(e: Endpoints, sequence: number): void {
    const f = this.frame;
    const p = this.ip(e, e.v6 ? PROTO_ICMPV6 : PROTO_ICMP, 8 + 56);
    f[p] = e.v6 ? 128 : 8;
    f[p + 1] = 0;
    put16(f, p + 2, 0x1c2d);
    put16(f, p + 4, 0x0777);
    put16(f, p + 6, sequence & 0xffff);
    this.finish(p + 8, 56);
  }

  /** ARP who-has, padded to Ethernet's 60-byte minimum. */
  arp(e: Endpoints): void {
    const f = this.frame;
    let p = this.ethernet(e, ETHERTYPE_ARP);
    put16(f, p, 1);
    put16(f, p + 2, ETHERTYPE_IPV4);
    f[p + 4] = 6;
    f[p + 5] = 4;
    put16(f, p + 6, 1);
    putMac(f, p + 8, e.srcMac);
    put32(f, p + 14, e.src4);
    putMac(f, p + 18, 0);
    put32(f, p + 24, e.dst4);
    p += 28;
    this.pad(p);
  }

  /** LLDP (EtherType 0x88cc) or an 802.3 frame with an LLC header (spanning tree): not IP at all. */
  nonIp(e: Endpoints, llc: boolean): void {
    const f = this.frame;
    const p = this.ethernet(e, llc ? 38 : ETHERTYPE_LLDP);
    if (llc) {
      f[p] = 0x42; // DSAP/SSAP: spanning tree
      f[p + 1] = 0x42;
      f[p + 2] = 0x03;
    } else {
      put16(f, p, 0x0207); // chassis id TLV
      f[p + 2] = 4;
    }
    this.finish(p + 3, 35);
  }

  /** Ethernet header and tags; returns where the EtherType's payload starts. */
  private ethernet(e: Endpoints, etherType: number): number {
    const f = this.frame;
    putMac(f, 0, e.dstMac);
    putMac(f, 6, e.srcMac);
    let p = 12;
    if (e.qinq) {
      put16(f, p, ETHERTYPE_QINQ);
      put16(f, p + 2, 100);
      p += 4;
    }
    if (e.vlan !== 0) {
      put16(f, p, ETHERTYPE_VLAN);
      put16(f, p + 2, e.vlan);
      p += 4;
    }
    put16(f, p, etherType);
    return p + 2;
  }

  /** Ethernet and IP headers for a datagram of `ipPayload` bytes; returns where the payload starts. */
  private ip(e: Endpoints, protocol: number, ipPayload: number): number {
    const f = this.frame;
    const p = this.ethernet(e, e.v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
    if (e.v6) {
      put32(f, p, 0x60000000 | (ipPayload * 2654435761) >>> 12);
      put16(f, p + 4, ipPayload);
      f[p + 6] = protocol;
      f[p + 7] = 64;
      f.set(e.src6, p + 8);
      f.set(e.dst6, p + 24);
      return p + 40;
    }
    f[p] = 0x45;
    f[p + 1] = 0;
    put16(f, p + 2, 20 + ipPayload);
    put16(f, p + 4, (ipPayload * 40503 + e.src4) & 0xffff);
    put16(f, p + 6, 0x4000); // don't fragment
    f[p + 8] = 64;
    f[p + 9] = protocol;
    put16(f, p + 10, 0);
    put32(f, p + 12, e.src4);
    put32(f, p + 16, e.dst4);
    put16(f, p + 10, ipv4Checksum(f, p));
    return p + 20;
  }

  /** Headers end at `p`; adds `payload` bytes on the wire and copies what the snapshot keeps. */
  private finish(p: number, payload: number): void {
    this.wireLength = Math.max(60, p + payload);
    this.captured = Math.min(this.wireLength, this.snaplen);
    const copy = this.captured - p;
    if (copy > 0) {
      const pool = this.payloadPool;
      if (this.poolOffset + copy > pool.length) this.poolOffset = (this.poolOffset * 7) % 4093;
      this.frame.set(pool.subarray(this.poolOffset, this.poolOffset + copy), p);
      this.poolOffset += copy;
    }
  }

  /** Zero padding up to the 60-byte Ethernet minimum. */
  private pad(p: number): void {
    this.wireLength = Math.max(60, p);
    this.frame.fill(0, p, this.wireLength);
    this.captured = Math.min(this.wireLength, this.snaplen);
  }
}

function ipv4Checksum(f: Uint8Array, p: number): number {
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (f[p + i]! << 8) | f[p + i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function put16(f: Uint8Array, p: number, v: number): void {
  f[p] = (v >>> 8) & 0xff;
  f[p + 1] = v & 0xff;
}

function put32(f: Uint8Array, p: number, v: number): void {
  f[p] = (v >>> 24) & 0xff;
  f[p + 1] = (v >>> 16) & 0xff;
  f[p + 2] = (v >>> 8) & 0xff;
  f[p + 3] = v & 0xff;
}

/** Locally administered MACs 02:00:xx:xx:xx:xx from a 32-bit number. */
function putMac(f: Uint8Array, p: number, n: number): void {
  f[p] = 0x02;
  f[p + 1] = 0;
  put32(f, p + 2, n);
}
