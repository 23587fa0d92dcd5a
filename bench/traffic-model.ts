import { Xorshift32 } from '../support/xorshift.js';
import { FrameWriter, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, type Endpoints } from './frame-writer.js';

/**
 * A seeded model of a small site's uplink: many interleaved TCP connections (handshake, data both ways,
 * teardown; some refused), DNS/QUIC/NTP over UDP, ARP, ping, LLDP and spanning tree; 15 % IPv6, 10 %
 * VLAN-tagged (a few double-tagged). About 5 % of frames are connection-opening SYNs. Two scans from
 * outside hit one local host: ports 1024..4500 at a quarter of the file, then every port at the middle.
 * Local hosts are 10.0.0.0/8 and fd00::/8, so `-localAddresses 10.0.0.0/8,fd00::/8` classifies them.
 */

/** Connections in flight at once; each frame advances one of them. */
const ACTIVE_FLOWS = 512;
/** Mean gap between frames: ~16.7 k frames per second, so 10 M frames span ten one-minute windows. */
const MEAN_GAP_MICROS = 60;
export const START_MICROS = 1_700_000_000_000_000;
export const LOCAL_ADDRESSES = '10.0.0.0/8,fd00::/8';
/** The scanned local host and the two scanners (TEST-NET addresses). */
const SCAN_TARGET = 0x0a000005; // 10.0.0.5
const SCANNER_SMALL = 0xc6336407; // 198.51.100.7
const SCANNER_FULL = 0xcb007142; // 203.0.113.66
const GATEWAY_MAC = 0x0a000001;
const SCAN_SOURCE_PORT = 44123;

interface Flow {
  e: Endpoints;
  /** The reverse direction's endpoints (server to client). */
  r: Endpoints;
  clientPort: number;
  serverPort: number;
  seqC: number;
  seqS: number;
  step: number;
  /** Data segments still to send after the handshake. */
  data: number;
  /** Data segments planned in all: the teardown starts at step 3 + planned. */
  planned: number;
  refused: boolean;
}

interface Scan {
  atFrame: number;
  firstPort: number;
  ports: number;
  sent: number;
  /** The next frame is the target's RST for the SYN just sent. */
  replyPending: boolean;
  port: number;
  probe: Endpoints;
  reply: Endpoints;
}

export class TrafficModel {
  readonly writer: FrameWriter;
  /** Capture timestamp of the frame just written, in microseconds. */
  timeMicros = START_MICROS;
  /** Connection-opening SYNs written so far (scan SYNs included). */
  synFrames = 0;
  private readonly rng: Xorshift32;
  private readonly flows: Flow[] = [];
  private readonly scans: Scan[];
  private readonly externals4: Uint32Array;
  private readonly externals6: Uint8Array[];
  private frameIndex = 0;
  private readonly misc: Endpoints;

  constructor(seed: number, frames: number, snaplen: number) {
    this.rng = new Xorshift32(seed);
    const pool = new Uint8Array(4 << 20);
    this.rng.fill(pool);
    this.writer = new FrameWriter(snaplen, pool);
    this.externals4 = new Uint32Array(4096);
    for (let i = 0; i < this.externals4.length; i++) this.externals4[i] = this.publicIpv4();
    this.externals6 = [];
    for (let i = 0; i < 1024; i++) this.externals6.push(ipv6(0x20010db8, this.rng.nextU32(), this.rng.nextU32(), this.rng.nextU32()));
    for (let i = 0; i < ACTIVE_FLOWS; i++) {
      // The capture starts mid-stream: connections already open, not a burst of 512 SYNs.
      const flow = this.newFlow();
      flow.refused = false;
      flow.step = 3 + this.rng.below(flow.planned + 1);
      flow.data = flow.planned - (flow.step - 3);
      this.flows.push(flow);
    }
    const fullPorts = Math.min(65535, Math.max(16, Math.floor(frames / 150)));
    const smallPorts = Math.min(3477, Math.max(16, Math.floor(frames / 500)));
    this.scans = [
      newScan(Math.floor(frames / 4), SCANNER_SMALL, 1024, smallPorts),
      newScan(Math.floor(frames / 2), SCANNER_FULL, 1, fullPorts),
    ];
    this.misc = this.endpoints(false, 0, false, 0, 0, 0, 0);
  }

  /** Writes the next frame into `writer.frame` and advances the clock. */
  next(): void {
    const rng = this.rng;
    this.timeMicros += Math.round(-Math.log(1 - rng.nextU32() / 0x1_0000_0000) * MEAN_GAP_MICROS);
    this.frameIndex++;
    for (const scan of this.scans) {
      if (this.frameIndex >= scan.atFrame && scan.sent < scan.ports && (scan.replyPending || rng.chance(0.3))) {
        this.scanFrame(scan);
        return;
      }
    }
    const r = rng.nextU32() / 0x1_0000_0000;
    if (r < 0.8) this.tcpFrame();
    else if (r < 0.93) this.udpFrame();
    else if (r < 0.95) this.writer.arp(this.miscEndpoints(false));
    else if (r < 0.97) this.writer.echo(this.miscEndpoints(rng.chance(0.15)), this.frameIndex);
    else this.writer.nonIp(this.miscEndpoints(false), rng.chance(0.5));
  }

  private tcpFrame(): void {
    const index = this.rng.below(ACTIVE_FLOWS);
    const flow = this.flows[index]!;
    const w = this.writer;
    const rng = this.rng;
    const step = flow.step++;
    if (step === 0) {
      w.tcp(flow.e, flow.clientPort, flow.serverPort, flow.seqC, 0, TCP_SYN, 0);
      this.synFrames++;
    } else if (flow.refused) {
      w.tcp(flow.r, flow.serverPort, flow.clientPort, 0, flow.seqC + 1, TCP_RST | TCP_ACK, 0);
      this.flows[index] = this.newFlow();
    } else if (step === 1) {
      w.tcp(flow.r, flow.serverPort, flow.clientPort, flow.seqS, flow.seqC + 1, TCP_SYN | TCP_ACK, 0);
    } else if (step === 2) {
      w.tcp(flow.e, flow.clientPort, flow.serverPort, flow.seqC + 1, flow.seqS + 1, TCP_ACK, 0);
    } else if (flow.data > 0) {
      flow.data--;
      if (rng.chance(0.6)) {
        const size = rng.chance(0.7) ? 1448 : 1 + rng.below(1448);
        w.tcp(flow.r, flow.serverPort, flow.clientPort, flow.seqS, flow.seqC, TCP_ACK | TCP_PSH, size);
        flow.seqS = (flow.seqS + size) >>> 0;
      } else {
        const size = rng.chance(0.5) ? 0 : 20 + rng.below(780);
        w.tcp(flow.e, flow.clientPort, flow.serverPort, flow.seqC, flow.seqS, size === 0 ? TCP_ACK : TCP_ACK | TCP_PSH, size);
        flow.seqC = (flow.seqC + size) >>> 0;
      }
    } else {
      const closing = step - 3 - flow.planned;
      if (closing === 0) w.tcp(flow.e, flow.clientPort, flow.serverPort, flow.seqC, flow.seqS, TCP_FIN | TCP_ACK, 0);
      else if (closing === 1) w.tcp(flow.r, flow.serverPort, flow.clientPort, flow.seqS, flow.seqC + 1, TCP_FIN | TCP_ACK, 0);
      else {
        w.tcp(flow.e, flow.clientPort, flow.serverPort, flow.seqC + 1, flow.seqS + 1, TCP_ACK, 0);
        this.flows[index] = this.newFlow();
      }
    }
  }

  private udpFrame(): void {
    const rng = this.rng;
    const v6 = rng.chance(0.15);
    const local = this.localHost();
    const e = this.endpoints(v6, rng.chance(0.1) ? 10 + rng.below(4) : 0, false, local, this.external4(), rng.below(1 << 20), this.rng.below(1024));
    const port = 32768 + rng.below(28232);
    const kind = rng.below(10);
    if (kind < 5) this.writer.udp(e, port, 53, 28 + rng.below(40)); // DNS query
    else if (kind < 9) this.writer.udp(e, port, 443, 1200 + rng.below(150)); // QUIC
    else this.writer.udp(e, 123, 123, 48); // NTP
  }

  private scanFrame(scan: Scan): void {
    if (scan.replyPending) {
      // The target answers each probe of a closed port with RST+ACK.
      scan.replyPending = false;
      scan.sent++;
      this.writer.tcp(scan.reply, scan.port, SCAN_SOURCE_PORT, 0, 0x1000, TCP_RST | TCP_ACK, 0);
      return;
    }
    // nmap probes ports in a shuffled order: step through them with a stride prime to the count.
    scan.port = scan.firstPort + ((scan.sent * 7919) % scan.ports);
    scan.replyPending = true;
    this.writer.tcp(scan.probe, SCAN_SOURCE_PORT, scan.port, 0x0fff, 0, TCP_SYN, 0);
    this.synFrames++;
  }

  private newFlow(): Flow {
    const rng = this.rng;
    const v6 = rng.chance(0.15);
    const vlan = rng.chance(0.1) ? 10 + rng.below(4) : 0;
    const qinq = vlan !== 0 && rng.chance(0.1);
    const outbound = rng.chance(0.85);
    const local = this.localHost();
    const external = this.external4();
    const e = outbound
      ? this.endpoints(v6, vlan, qinq, local, external, rng.below(1 << 20), rng.below(1024))
      : this.endpoints(v6, vlan, qinq, external, local, rng.below(1024), rng.below(1 << 20));
    if (!outbound) {
      // Inbound: the external host is the client; the gateway MAC is on its side.
      e.srcMac = GATEWAY_MAC;
      e.dstMac = 0x0a000000 | (local & 0xffffff);
      e.src6 = this.externals6[rng.below(1024)]!;
      e.dst6 = ipv6(0xfd000000, 0, 0, local);
    }
    const serverPort = outbound ? pickServerPort(rng) : rng.pick([22, 80, 443, 443, 25]);
    const data = rng.below(24);
    return {
      e,
      r: swap(e),
      clientPort: 32768 + rng.below(28232),
      serverPort,
      seqC: rng.nextU32(),
      seqS: rng.nextU32(),
      step: 0,
      data,
      planned: data,
      refused: rng.chance(0.1),
    };
  }

  private endpoints(v6: boolean, vlan: number, qinq: boolean, src4: number, dst4: number, src6: number, dst6: number): Endpoints {
    return {
      v6,
      vlan,
      qinq,
      srcMac: 0x0a000000 | (src4 & 0xffffff),
      dstMac: GATEWAY_MAC,
      src4,
      dst4,
      src6: ipv6(0xfd000000, 0, 0, src6),
      dst6: this.externals6[dst6 % 1024] ?? ipv6(0x20010db8, 0, 0, dst6),
    };
  }

  private miscEndpoints(v6: boolean): Endpoints {
    const e = this.misc;
    e.v6 = v6;
    e.src4 = this.localHost();
    e.dst4 = 0x0a000001;
    e.srcMac = e.src4;
    return e;
  }

  private localHost(): number {
    return (0x0a000000 | (this.rng.below(4) << 8) | (1 + this.rng.below(254))) >>> 0;
  }

  private external4(): number {
    return this.externals4[this.rng.below(this.externals4.length)]!;
  }

  /** A unicast address outside 10/8, 127/8 and multicast. */
  private publicIpv4(): number {
    for (;;) {
      const a = this.rng.nextU32();
      const first = a >>> 24;
      if (first !== 10 && first !== 127 && first !== 0 && first < 224) return a;
    }
  }
}

function pickServerPort(rng: Xorshift32): number {
  const r = rng.below(100);
  if (r < 60) return 443;
  if (r < 80) return 80;
  if (r < 85) return 22;
  if (r < 88) return 993;
  if (r < 92) return 8080;
  return rng.pick(OTHER_SERVICE_PORTS);
}

/** Less common services clients connect to: the long tail of a normal day, not a scan. */
const OTHER_SERVICE_PORTS = [21, 25, 110, 143, 465, 587, 995, 1194, 1433, 1883, 3306, 3389, 5060, 5222, 5432, 5671, 5900, 6379, 6443, 8000, 8443, 8883, 9000, 9090, 9200, 9418, 10250, 11211, 27017, 50051];

function newScan(atFrame: number, scanner: number, firstPort: number, ports: number): Scan {
  const none = new Uint8Array(16);
  const probe: Endpoints = { v6: false, vlan: 0, qinq: false, srcMac: GATEWAY_MAC, dstMac: SCAN_TARGET, src4: scanner, dst4: SCAN_TARGET, src6: none, dst6: none };
  return { atFrame, firstPort, ports, sent: 0, replyPending: false, port: 0, probe, reply: swap(probe) };
}

function swap(e: Endpoints): Endpoints {
  return { ...e, srcMac: e.dstMac, dstMac: e.srcMac, src4: e.dst4, dst4: e.src4, src6: e.dst6, dst6: e.src6 };
}

function ipv6(w0: number, w1: number, w2: number, w3: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint32(0, w0 >>> 0);
  v.setUint32(4, w1 >>> 0);
  v.setUint32(8, w2 >>> 0);
  v.setUint32(12, w3 >>> 0);
  return b;
}
