import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeKind } from '../../src/packets/probe-record.js';
import { Feeder, table } from './table-support.js';

const T0 = 1_700_000_000;
const CLIENT = '192.0.2.10';

/** CLIENT asks 40 servers on 16 services (DNS, QUIC, NTP, STUN, ...), each answering: past the 15-port rule, so only the answers keep it unnamed. */
function askFortyServers(f: Feeder): void {
  const services = [53, 443, 123, 3478, 5353, 8443, 19302, 4500, 500, 1194, 51820, 27015, 3074, 5060, 6881, 1900];
  for (let h = 1; h <= 40; h++) {
    const server = `198.51.100.${h}`;
    const port = services[h % services.length]!;
    f.v4(ProbeKind.Udp, CLIENT, server, port, T0 + h, 'client', 30000 + h);
    f.v4(ProbeKind.Udp, server, CLIENT, 30000 + h, T0 + h, 'server', port);
  }
}

test('a DNS resolver answering 200 queries from random source ports is not a UDP scanner; the asker is not either', () => {
  const t = table();
  const f = new Feeder(t);
  for (let i = 0; i < 200; i++) {
    const port = 20000 + ((i * 7919) % 40000); // source-port randomisation
    f.v4(ProbeKind.Udp, CLIENT, '198.51.100.53', 53, T0 + i, 'client', port);
    f.v4(ProbeKind.Udp, '198.51.100.53', CLIENT, port, T0 + i, 'server', 53);
  }
  assert.deepEqual(t.closeWindow().scans.map((s) => s.source), []);
});

test('a client asking 40 resolvers and QUIC servers, all answering, is not a scanner (answers are its successes)', () => {
  const t = table();
  const f = new Feeder(t);
  askFortyServers(f);
  assert.deepEqual(t.closeWindow().scans.map((s) => s.source), []);
});

test('a UDP scan is still named: datagrams to a host that never sent to the scanner are not answers', () => {
  const t = table();
  const f = new Feeder(t);
  // The target did ask the scanner's address something once (one DNS query): only that port is an answer.
  f.v4(ProbeKind.Udp, CLIENT, '203.0.113.66', 53, T0, 'client', 33333);
  for (let p = 1000; p < 1020; p++) f.v4(ProbeKind.Udp, '203.0.113.66', CLIENT, p, T0, 'server', 53);
  assert.deepEqual(t.closeWindow().scans.map((s) => [s.source, s.reason]), [['203.0.113.66', 'vertical']]);
});

test('answers count for the asker even when the table is full and holds none of the answering servers (a resolver asking 40 servers)', () => {
  const t = table({ maxSources: 16 });
  const f = new Feeder(t);
  // Twenty one-packet sources fill the table first, so the servers are turned away as newcomers.
  for (let i = 1; i <= 20; i++) f.v4(ProbeKind.Syn, `203.0.113.${i}`, CLIENT, 443, T0);
  askFortyServers(f);
  const w = t.closeWindow();
  assert.deepEqual(w.scans.map((s) => s.source), []);
  assert.ok(t.getStats().notAdmitted > 0, 'the servers were turned away');
});
