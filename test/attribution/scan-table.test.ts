import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MAX_SOURCES } from '../../src/attribution/params.js';
import { LocalAddresses } from '../../src/net/local-addresses.js';
import { ProbeKind } from '../../src/packets/probe-record.js';
import type { WindowScans } from '../../src/report/scan-report.js';
import { Feeder, table } from './table-support.js';

const T0 = 1_700_000_000;
const TARGET = '192.0.2.10';
const SCANNER = '203.0.113.66';
const HOUR = 3600;

function named(w: WindowScans, source = SCANNER): boolean {
  return w.scans.some((s) => s.source === source);
}

test('a slow scan, one new port an hour of packet time with a window closed between probes, is named at its 15th port', () => {
  const t = table();
  const f = new Feeder(t);
  for (let i = 0; i < 15; i++) {
    const seconds = T0 + i * HOUR;
    f.v4(ProbeKind.Syn, SCANNER, TARGET, 2000 + i, seconds);
    // Someone else's traffic in between, as a live host has.
    f.v4(ProbeKind.Syn, '198.51.100.7', TARGET, 443, seconds + 1);
    const w = t.closeWindow();
    assert.equal(named(w), i === 14, `after ${i + 1} ports`);
    if (i === 14) {
      const s = w.scans[0]!;
      assert.deepEqual([s.reason, s.direction, s.ports, s.hosts, s.new], ['vertical', 'server', 15, 1, true]);
      assert.equal(s.firstSeen.getTime(), T0 * 1000, 'evidence since the first probe 14 hours ago');
      assert.equal(s.detectedAt.getTime(), (T0 + 14 * HOUR) * 1000);
      assert.deepEqual(s.kinds, ['syn']);
    }
  }
  const quiet = t.closeWindow();
  assert.deepEqual([quiet.scans.length, quiet.scansEnded.map((s) => s.source)], [0, [SCANNER]], 'a quiet window ends the scan');
  f.v4(ProbeKind.Syn, SCANNER, TARGET, 3000, T0 + 20 * HOUR);
  const again = t.closeWindow();
  assert.equal(again.scans[0]?.source, SCANNER, 'a remembered scanner is listed again when active');
  assert.equal(again.scans[0]?.new, undefined, 'and is not new');
});

test('privileged ports weigh 3 (scanlogd): the 7th port below 1024 names the source; 14 high ports do not', () => {
  const t = table();
  const f = new Feeder(t);
  for (const [i, port] of [21, 22, 23, 25, 53, 80, 110].entries()) {
    f.v4(ProbeKind.Syn, SCANNER, TARGET, port, T0 + i);
    assert.equal(t.getStats().detections, i === 6 ? 1 : 0, `after ${i + 1} privileged ports`);
  }
  for (let p = 5000; p < 5014; p++) f.v4(ProbeKind.Syn, '198.51.100.9', TARGET, p, T0);
  assert.equal(named(t.closeWindow(), '198.51.100.9'), false);
});

test('a sweep of one port over many hosts is named horizontal, an outbound one in the client direction', () => {
  const t = table();
  const f = new Feeder(t);
  for (let h = 1; h <= 40; h++) f.v4(ProbeKind.Syn, TARGET, `198.51.100.${h}`, 80, T0, 'client');
  const w = t.closeWindow();
  assert.deepEqual(w.scans.map((s) => [s.source, s.reason, s.direction]), [[TARGET, 'horizontal', 'client']]);
  assert.deepEqual(w.scanners, { server: 0, client: 1 });
});

test('NULL/XMAS pairs are stealth scans; FIN alone is not evidence of that kind', () => {
  const t = table();
  const f = new Feeder(t);
  f.v4(ProbeKind.Null, SCANNER, TARGET, 80, T0);
  f.v4(ProbeKind.Xmas, SCANNER, TARGET, 80, T0);
  for (let i = 0; i < 5; i++) f.v4(ProbeKind.Fin, '198.51.100.3', TARGET, 80, T0);
  assert.deepEqual(t.closeWindow().scans.map((s) => [s.source, s.reason, s.kinds.join()]), [[SCANNER, 'stealth', 'null,xmas']]);
});

test('ACK and FIN+ACK of a source that was in a handshake are not evidence; a bare ACK sweep is', () => {
  const t = table();
  const f = new Feeder(t);
  // A client: SYN to a server, SYN-ACK back, then its ACKs and FIN+ACK to ports it never opened (server-side ephemeral ports in a capture cut).
  const client = '198.51.100.20';
  f.v4(ProbeKind.Syn, client, TARGET, 443, T0);
  f.reply(ProbeKind.SynAck, TARGET, 443, client, T0);
  for (let p = 0; p < 40; p++) f.v4(p % 2 ? ProbeKind.Ack : ProbeKind.Maimon, client, `192.0.2.${20 + p}`, 30000 + p, T0);
  // A server: it answered SYN-ACK, so its own ACKs are a connection's.
  for (let p = 0; p < 40; p++) f.v4(ProbeKind.Ack, TARGET, `198.51.100.${100 + p}`, 40000 + p, T0, 'client');
  // A source whose ACKs go only to a host it opened a connection to.
  const opener = '198.51.100.21';
  f.v4(ProbeKind.Syn, opener, TARGET, 80, T0);
  for (let p = 0; p < 40; p++) f.v4(ProbeKind.Ack, opener, TARGET, 80 + p, T0);
  // nmap -PA: bare ACKs to 30 hosts, never a handshake.
  for (let h = 1; h <= 30; h++) f.v4(ProbeKind.Ack, SCANNER, `192.0.2.${100 + h}`, 80, T0);
  const w = t.closeWindow();
  assert.deepEqual(w.scans.map((s) => [s.source, s.reason, s.kinds.join()]), [[SCANNER, 'horizontal', 'ack']]);
});

test('-ignoreSources and -ignoreDestinations: probes are suppressed and counted, others still named', () => {
  const t = table({ ignoreSources: LocalAddresses.parse(['203.0.113.0/24']), ignoreDestinations: LocalAddresses.parse(['192.0.2.80', '2001:db8::80']) });
  const f = new Feeder(t);
  for (let p = 1; p <= 100; p++) f.v4(ProbeKind.Syn, SCANNER, TARGET, p, T0);
  for (let p = 1; p <= 100; p++) f.v4(ProbeKind.Syn, '198.51.100.30', '192.0.2.80', p, T0);
  for (let p = 1; p <= 100; p++) f.v6(ProbeKind.Syn, '2001:db8::66', '2001:db8::80', p, T0);
  for (let p = 1; p <= 100; p++) f.v6(ProbeKind.Syn, '2001:db8::66', '2001:db8::10', p, T0);
  const w = t.closeWindow();
  assert.deepEqual(w.scans.map((s) => s.source), ['2001:db8::66']);
  const stats = t.getStats();
  assert.equal(stats.suppressed, 300);
  assert.equal(stats.sources, 1, 'suppressed probes make no entry');
});

test('bytes are fixed at construction, whatever the traffic, and grow linearly with maxSources', () => {
  const t = table();
  const f = new Feeder(t);
  const before = t.bytes;
  for (let i = 0; i < 50_000; i++) f.v4(ProbeKind.Syn, (0x0a000000 + i * 7919) >>> 0, TARGET, i & 0xffff, T0 + (i >> 10));
  t.closeWindow();
  assert.equal(t.bytes, before);
  assert.equal(t.getStats().bytes, before);
  const sizes = [16, 1024, 4096, 65536].map((n) => table({ maxSources: n }).bytes);
  assert.equal(sizes[1], before, 'the default is 1024');
  const perEntry = (sizes[3]! - sizes[2]!) / (65536 - 4096);
  assert.ok(perEntry > 200 && perEntry < 500, `${perEntry} B an entry`);
  for (const [i, n] of [16, 1024, 4096, 65536].entries()) assert.equal(sizes[i], perEntry * n, `exactly ${perEntry} B × ${n}`);
  assert.equal(DEFAULT_MAX_SOURCES, 1024);
  assert.throws(() => table({ maxSources: 15 }), RangeError);
});

test('the ACKs of connections it opened are not probes: a connect scan lists SYNs only, while ACKs to hosts it never opened still count', () => {
  const t = table();
  const f = new Feeder(t);
  for (let port = 2000; port < 2020; port++) {
    f.v4(ProbeKind.Syn, SCANNER, TARGET, port, T0, 'server');
    f.v4(ProbeKind.Ack, SCANNER, TARGET, port, T0, 'server');
  }
  const w = t.closeWindow();
  assert.deepEqual(w.scans.map((s) => [s.source, s.kinds, s.probes]), [[SCANNER, ['syn'], 20]]);
  for (let h = 1; h <= 3; h++) f.v4(ProbeKind.Ack, SCANNER, `198.51.100.${h}`, 80, T0 + 60, 'server');
  assert.deepEqual(t.closeWindow().scans.map((s) => [s.kinds, s.probes]), [[['syn', 'ack'], 3]]);
});

test("a connect scan's ACKs stay out of its report after a SYN flood has pushed its handshakes out of the pair filter", () => {
  const t = table();
  const f = new Feeder(t);
  for (let port = 2000; port < 2020; port++) f.v4(ProbeKind.Syn, SCANNER, TARGET, port, T0, 'server');
  for (let i = 0; i < 20_000; i++) f.v4(ProbeKind.Syn, (0xc6336400 + i) >>> 0, TARGET, 443, T0, 'server'); // 198.51.100.0 onwards
  for (let port = 2000; port < 2020; port++) f.v4(ProbeKind.Ack, SCANNER, TARGET, port, T0, 'server');
  const w = t.closeWindow();
  assert.deepEqual(w.scans.filter((s) => s.source === SCANNER).map((s) => [s.kinds, s.probes]), [[['syn'], 20]]);
});

test("connections from the host's socket table are not probes: FIN+ACKs to 30 peers it was already talking to name nobody", () => {
  const closeAll = (t: ReturnType<typeof table>): string[] => {
    const f = new Feeder(t);
    for (let h = 1; h <= 30; h++) f.v4(ProbeKind.Maimon, TARGET, `198.51.100.${h}`, 443, T0 + h, 'client');
    return t.closeWindow().scans.map((s) => s.source);
  };
  assert.deepEqual(closeAll(table()), [TARGET], 'without the socket table these look like a sweep');
  const known = table();
  for (let h = 1; h <= 30; h++) known.noteConnection(4, new Uint32Array([0xc000020a]), new Uint32Array([(0xc6336400 + h) >>> 0]));
  assert.deepEqual(closeAll(known), []);
});
