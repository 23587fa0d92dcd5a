import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Detector } from '../../src/detector/detector.js';
import { ProbeKind } from '../../src/packets/probe-record.js';
import { DEFAULT_PROBE_SETS, probeKindMask, resolveProbeSets } from '../../src/packets/probe-set.js';
import type { WindowReport } from '../../src/report/window-report.js';
import { frameIp, IpProtocol, ipv4Packet, TcpFlags, tcpFrame, udpDatagram } from '../../support/frames.js';

const { SYN, ACK, FIN, RST } = TcpFlags;
const framing = { link: 'ethernet' } as const;
const FRAMES = [
  tcpFrame({ ...framing, tcp: { flags: SYN, dstPort: 22 } }),
  tcpFrame({ ...framing, tcp: { flags: FIN, dstPort: 23 } }),
  tcpFrame({ ...framing, tcp: { flags: ACK, dstPort: 24 } }),
  tcpFrame({ ...framing, tcp: { flags: RST, dstPort: 25 } }),
  frameIp(framing, ipv4Packet({ protocol: IpProtocol.UDP }, udpDatagram(40000, 53))),
];

function replay(probeMask: number | undefined): { report: WindowReport; observed: number[] } {
  const reports: WindowReport[] = [];
  const observed: number[] = [];
  const detector = new Detector({
    bins: 16, size: 1024, interfaceName: 't', localAddresses: null, onReport: (r) => reports.push(r), onProbe: (kind) => observed.push(kind),
    ...(probeMask === undefined ? {} : { probeMask }),
  });
  for (const frame of FRAMES) detector.addFrame(frame, 0, frame.length, 1, 0);
  detector.closeWindow(0, 1_000_000, false);
  return { report: reports[0]!, observed };
}

test('without a mask every kind is counted and attributed', () => {
  const { report, observed } = replay(undefined);
  assert.deepEqual(observed, [ProbeKind.Syn, ProbeKind.Fin, ProbeKind.Ack, ProbeKind.Rst, ProbeKind.Udp]);
  assert.equal(report.probes.server.udp, 1);
  assert.equal(report.probes.server.ack, 1);
});

test('the live default mask leaves UDP and ACK out of counting and attribution; frames and SYNs are unchanged', () => {
  const { report, observed } = replay(probeKindMask(DEFAULT_PROBE_SETS));
  assert.deepEqual(observed, [ProbeKind.Syn, ProbeKind.Fin, ProbeKind.Rst]);
  assert.equal(report.probes.server.udp, 0);
  assert.equal(report.probes.server.ack, 0);
  assert.equal(report.probes.server.fin, 1);
  assert.equal(report.probes.client.rst, 1); // a reply with no local addresses: ours
  assert.equal(report.capture.frames, FRAMES.length);
  assert.equal(report.server.synPackets, 1);
  assert.ok(report.server.bitsSet > 0, 'the SYN still feeds the bitmap');
});

test('a mask without SYN still counts SYNs: the seed bitmaps need them', () => {
  const { report, observed } = replay(probeKindMask(['udp']) & ~(1 << ProbeKind.Syn));
  assert.deepEqual(observed, [ProbeKind.Syn, ProbeKind.Udp]);
  assert.equal(report.server.synPackets, 1);
});

test('resolveProbeSets: empty means the mode default; syn is always first', () => {
  assert.deepEqual(resolveProbeSets([], 'live'), ['syn', 'stealth', 'icmp', 'replies']);
  assert.deepEqual(resolveProbeSets([], 'replay'), ['syn', 'stealth', 'ack', 'udp', 'icmp', 'replies', 'tunnels']);
  assert.deepEqual(resolveProbeSets(['udp', 'syn', 'udp'], 'live'), ['syn', 'udp']);
});
