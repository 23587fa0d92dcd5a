import { ScanTable } from '../src/attribution/scan-table.js';
import { Detector } from '../src/detector/detector.js';
import { formatIPv4, formatIPv6 } from '../src/net/ip-text.js';
import { LocalAddresses } from '../src/net/local-addresses.js';
import { createProbeRecord, ProbeKind } from '../src/packets/probe-record.js';
import { Xorshift32 } from '../support/xorshift.js';
import { loadFrameSample, type FrameSample } from './frame-sample.js';
import { median } from './measure.js';
import { LOCAL_ADDRESSES } from './traffic-model.js';

/**
 * Scan attribution figures, run as a child of the bench (its own heap and JIT): probes until each scanner
 * kind is named, the table's memory, the CPU cost of ScanTable.observe against the detector's per-frame
 * cost, and the detector over the bench capture's frames with attribution on and off. Prints one JSON object.
 *   node attribution-probe.js FILE
 */

const SAMPLE_FRAMES = 300_000;
const REPEATS = 5;
const local = LocalAddresses.parse(LOCAL_ADDRESSES.split(','));
const formatSource = (family: 4 | 6, words: Uint32Array): string => (family === 4 ? formatIPv4(words[3]!) : formatIPv6(words));
const newTable = (maxSources?: number): ScanTable => new ScanTable({ formatSource, ...(maxSources ? { maxSources } : {}) });

function nsPerOp(n: number, body: (n: number) => void): number {
  body(Math.min(n, 100_000));
  const samples: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const start = process.cpuUsage();
    body(n);
    const used = process.cpuUsage(start);
    samples.push(((used.user + used.system) * 1000) / n);
  }
  return median(samples);
}

const SCANNER = 0xcb007142; // 203.0.113.66
const TARGET = 0xc000020a; // 192.0.2.10

/** One scanner kind: its i-th probe (kind, destination host and port), and whether the target answers RST. */
interface Kind {
  name: string;
  probe: (i: number) => [ProbeKind, number, number];
  rst: boolean;
}

const KINDS: readonly Kind[] = [
  { name: 'SYN to closed ports, RSTs seen (TRW)', probe: (i) => [ProbeKind.Syn, TARGET, 2000 + i], rst: true },
  { name: 'SYN, ports >= 1024, one-way capture', probe: (i) => [ProbeKind.Syn, TARGET, 2000 + i], rst: false },
  { name: 'SYN, ports < 1024 (nmap top ports), one-way', probe: (i) => [ProbeKind.Syn, TARGET, [21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 443, 445, 993, 995][i % 15]!], rst: false },
  { name: 'UDP, ports >= 1024, one-way', probe: (i) => [ProbeKind.Udp, TARGET, 2000 + i], rst: false },
  { name: 'NULL / XMAS', probe: (i) => [i % 2 ? ProbeKind.Xmas : ProbeKind.Null, TARGET, 2000 + i], rst: false },
  { name: 'FIN, ports >= 1024, one-way', probe: (i) => [ProbeKind.Fin, TARGET, 2000 + i], rst: false },
  { name: 'SYN sweep of port 80, one-way', probe: (i) => [ProbeKind.Syn, (TARGET + i) >>> 0, 80], rst: false },
  { name: 'ACK sweep of port 80, one-way', probe: (i) => [ProbeKind.Ack, (TARGET + i) >>> 0, 80], rst: false },
  { name: 'mixed: 8 ports on 13 hosts, one-way', probe: (i) => [ProbeKind.Syn, (TARGET + (i % 13)) >>> 0, 3000 + (i % 8)], rst: false },
];

/** Probes until the table names the scanner (the reply to each probe is fed right after it). */
function probesUntilNamed(kind: Kind): { probes: number; reason: string } {
  const t = newTable();
  const r = createProbeRecord();
  for (let i = 0; i < 1000; i++) {
    const [k, host, port] = kind.probe(i);
    Object.assign(r, { family: 4, src4: SCANNER, dst4: host, srcPort: 40000, dstPort: port });
    t.observe(k, 'server', r, 1_700_000_000);
    if (kind.rst) {
      Object.assign(r, { src4: host, dst4: SCANNER, srcPort: port, dstPort: 40000 });
      t.observe(ProbeKind.Rst, 'client', r, 1_700_000_000);
    }
    if (t.getStats().detections > 0) return { probes: i + 1, reason: t.closeWindow().scans[0]!.reason };
  }
  return { probes: -1, reason: 'none' };
}

/** The sample's frames through a detector, with the scan table fed (on) or not (off). */
function feed(detector: Detector, sample: FrameSample, n: number): void {
  const { data, offsets, lengths, linkType } = sample;
  for (let i = 0, j = 0; i < n; i++, j++) {
    if (j === sample.count) j = 0;
    detector.addFrame(data, offsets[j]!, lengths[j]!, linkType, 1_700_000_000 + (i >> 17));
  }
}

function observeCost(): number {
  // Probes from 4096 sources (four times the table: evictions on the way) to random ports of 64 hosts.
  const t = newTable();
  const r = createProbeRecord();
  const rng = new Xorshift32(11);
  const src = Uint32Array.from({ length: 1 << 16 }, () => 0x0a000000 + (rng.nextU32() & 0xfff));
  const dst = Uint32Array.from({ length: 1 << 16 }, () => TARGET + (rng.nextU32() & 63));
  const port = Uint16Array.from({ length: 1 << 16 }, () => rng.nextU32() & 0xffff);
  r.family = 4;
  return nsPerOp(3_000_000, (n) => {
    for (let i = 0; i < n; i++) {
      const j = i & 0xffff;
      r.src4 = src[j]!;
      r.dst4 = dst[j]!;
      r.dstPort = port[j]!;
      t.observe(ProbeKind.Syn, 'server', r, 1_700_000_000);
    }
  });
}

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: attribution-probe FILE\n');
  process.exit(2);
}
const sample = loadFrameSample(file, SAMPLE_FRAMES);
const detection = KINDS.map((k) => ({ kind: k.name, ...probesUntilNamed(k) }));
const off = new Detector({ bins: 16, size: 1024, interfaceName: 'bench', localAddresses: local, onReport: () => {} });
const table = newTable();
const on = new Detector({ bins: 16, size: 1024, interfaceName: 'bench', localAddresses: local, onReport: () => {}, onProbe: (k, d, r, s) => table.observe(k, d, r, s) });
// Alternated, so a drift in machine load touches both.
const offNs: number[] = [];
const onNs: number[] = [];
for (let round = 0; round < 3; round++) {
  offNs.push(nsPerOp(3_000_000, (n) => feed(off, sample, n)));
  onNs.push(nsPerOp(3_000_000, (n) => feed(on, sample, n)));
}
process.stdout.write(
  JSON.stringify({
    sampleFrames: sample.count,
    detection,
    bytesDefault: newTable().bytes,
    bytes65536: newTable(65536).bytes,
    observeNs: observeCost(),
    detectorOffNs: median(offNs),
    detectorOnNs: median(onNs),
    tableAfterSample: table.getStats(),
  }) + '\n',
);
