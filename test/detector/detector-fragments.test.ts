import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Detector } from '../../src/detector/detector.js';
import { FRAGMENT_LIFETIME_SECONDS } from '../../src/packets/fragment-table.js';
import { LocalAddresses } from '../../src/net/local-addresses.js';
import type { WindowReport } from '../../src/report/window-report.js';
import { PacketTimeWindows } from '../../src/windows/packet-time-windows.js';
import { frameIp, LINUX_SYN_OPTIONS, linkTypeOf, TcpFlags, tcpSegment } from '../../support/frames.js';
import { repoRoot } from '../../support/paths.js';
import { ipv4Fragments, ipv6Fragments } from '../packets/fragments.js';

const LOCAL4 = '192.0.2.10';
const LOCAL6 = '2001:db8::10';
const T0 = 1_700_000_000;

function setup(local: LocalAddresses | null): { windows: PacketTimeWindows; detector: Detector; reports: WindowReport[] } {
  const reports: WindowReport[] = [];
  const detector = new Detector({ bins: 16, size: 1024, interfaceName: 'test0', localAddresses: local, onReport: (r) => reports.push(r) });
  return { windows: new PacketTimeWindows(detector, 60_000_000), detector, reports };
}

function feed(windows: PacketTimeWindows, frames: Uint8Array[], seconds: number, linkType: number = linkTypeOf.ethernet): void {
  for (const frame of frames) windows.onFrame(frame, 0, frame.length, linkType, seconds, 0);
}

test('nmap -f SYNs (IPv4 and IPv6, flags in the second fragment) count once each, as server SYNs in the bitmap', () => {
  const { windows, detector, reports } = setup(LocalAddresses.parse([LOCAL4, LOCAL6]));
  const v4 = [80, 443, 8080].flatMap((port, i) =>
    ipv4Fragments({ src: '203.0.113.5', dst: LOCAL4, id: 100 + i }, tcpSegment({ dstPort: port, flags: TcpFlags.SYN, options: LINUX_SYN_OPTIONS }), [8, 8, 8, 8]),
  );
  const v6 = ipv6Fragments({ src: '2001:db8::99', dst: LOCAL6 }, 0x1234567, tcpSegment({ dstPort: 3389, flags: TcpFlags.SYN }), [8]);
  feed(windows, [...v4, ...v6].map((p) => frameIp({ link: 'ethernet' }, p)), T0);
  windows.finish();
  const r = reports[0]!;
  assert.equal(r.capture.frames, v4.length + v6.length);
  assert.equal(r.capture.synPackets, 4);
  assert.equal(r.server.synPackets, 4);
  assert.equal(r.probes.server.syn, 4);
  assert.equal(r.server.bitsSet, 4);
  assert.equal(r.capture.malformed, 0);
  assert.equal(detector.totals.fragments.classified, 4);
  assert.equal(detector.totals.fragments.fragments, v4.length + v6.length);
});

test('replay clock: an unfinished datagram ages in packet time and expires after the lifetime', () => {
  const { windows, detector, reports } = setup(null);
  const frames = ipv4Fragments({ id: 9 }, tcpSegment({ flags: TcpFlags.SYN }), [8]).map((p) => frameIp({ link: 'raw' }, p));
  feed(windows, [frames[0]!], T0, linkTypeOf.raw);
  feed(windows, [frames[1]!], T0 + FRAGMENT_LIFETIME_SECONDS + 1, linkTypeOf.raw);
  windows.finish();
  assert.equal(reports.reduce((n, r) => n + r.capture.synPackets, 0), 0);
  assert.equal(detector.totals.fragments.expired, 1);
});

test('a reassembled header that is malformed is counted by reason', () => {
  const { windows, reports } = setup(null);
  const frames = ipv4Fragments({ id: 3 }, tcpSegment({ flags: TcpFlags.SYN, dataOffset: 3 }), [8]).map((p) => frameIp({ link: 'raw' }, p));
  feed(windows, frames, T0, linkTypeOf.raw);
  windows.finish();
  assert.equal(reports[0]!.capture.malformed, 1);
  assert.equal(reports[0]!.capture.malformedBy.badHeader, 1);
});

/** Records of a classic little- or big-endian pcap file: [seconds, frame]. */
function pcapRecords(file: Buffer): { linkType: number; records: [number, Uint8Array][] } {
  const little = file.readUInt32LE(0) === 0xa1b2c3d4 || file.readUInt32LE(0) === 0xa1b23c4d;
  const u32 = (at: number): number => (little ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const records: [number, Uint8Array][] = [];
  for (let at = 24; at + 16 <= file.length; ) {
    const captured = u32(at + 8);
    records.push([u32(at), file.subarray(at + 16, at + 16 + captured)]);
    at += 16 + captured;
  }
  return { linkType: u32(20), records };
}

test('zeek fragmented-syn.pcap (first fragment holds the TCP base header): one SYN to port 80, as tshark counts', () => {
  const { windows, detector, reports } = setup(LocalAddresses.parse(['10.0.0.5']));
  const { linkType, records } = pcapRecords(readFileSync(join(repoRoot, 'test/fixtures/zeek__zeek__testing__btest__Traces__ipv4__fragmented-syn.pcap')));
  assert.equal(records.length, 2);
  for (const [seconds, frame] of records) windows.onFrame(frame, 0, frame.length, linkType, seconds, 0);
  windows.finish();
  const r = reports[0]!;
  assert.equal(r.server.synPackets, 1);
  assert.equal(r.capture.synPackets, 1);
  assert.equal(r.capture.malformed, 0);
  assert.equal(detector.totals.fragments.classified, 1);
  assert.equal(detector.totals.fragments.ignored, 1, 'the second fragment (options) counts nothing');
});
