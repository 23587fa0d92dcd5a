import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ipv4ToInt } from '../../src/net/local-addresses.js';
import { ProbeKind } from '../../src/packets/probe-record.js';
import { Xorshift32 } from '../../support/xorshift.js';
import { Feeder, table } from './table-support.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const T0 = 1_700_000_000;
const FLOOD = 1_000_000;
/** One scanner probe per this many flood packets: just under the default table's 1024 entries. */
const GAP = 1000;
const PPS = 100_000;

/**
 * A million spoofed one-SYN sources to one port, the default table (1024 sources), and a real vertical scan
 * hidden in it: 1000 ports above 1023 (so 15 are needed), one probe per 1000 flood packets. Before the fix
 * eviction took the first of equals in its sample, refilled one slot in eight, and the scanner was named
 * only at its 115th probe; now at its 15th (16th when two of its ports share a sketch bit).
 */
test('a scanner hidden in 1 M spoofed one-SYN sources is named within 16 probes and listed in the last window; heap flat', async () => {
  const t = table();
  const f = new Feeder(t);
  const rng = new Xorshift32(0x5eed);
  const target = ipv4ToInt('192.0.2.10');
  const scanner = ipv4ToInt('203.0.113.66');
  let port = 0;
  let detectedAtProbe = -1;
  let windowsNaming = 0;
  let second = T0;
  let heapEarly = 0;
  let gcs = 0;
  const observer = new PerformanceObserver((list) => (gcs += list.getEntries().length));
  for (let i = 0; i < FLOOD; i++) {
    const s = T0 + Math.floor(i / PPS);
    if (s !== second) {
      second = s;
      if (t.closeWindow().scans.some((r) => r.source === '203.0.113.66')) windowsNaming++;
    }
    f.v4(ProbeKind.Syn, rng.nextU32(), target, 80, s);
    if (i % GAP === GAP - 1) {
      f.v4(ProbeKind.Syn, scanner, target, 2000 + port++, s);
      if (detectedAtProbe < 0 && t.getStats().detections > 0) detectedAtProbe = port;
    }
    if (i === 100_000) {
      gc();
      heapEarly = process.memoryUsage().heapUsed;
      observer.observe({ entryTypes: ['gc'] });
    }
  }
  const last = t.closeWindow();
  await new Promise((resolve) => setTimeout(resolve, 50)); // GC entries arrive asynchronously
  observer.disconnect();
  const collections = gcs;
  gc();
  const heapGrowth = process.memoryUsage().heapUsed - heapEarly;
  assert.equal(port, 1000);
  assert.ok(detectedAtProbe >= 15 && detectedAtProbe <= 16, `named at the scanner's probe ${detectedAtProbe}`);
  const listed = last.scans.find((r) => r.source === '203.0.113.66');
  assert.ok(listed, `listed in the last window: ${JSON.stringify(last.scans)}`);
  assert.equal(listed.reason, 'vertical');
  assert.equal(listed.firstSeen.getTime(), T0 * 1000, 'never evicted: evidence since its first probe');
  assert.ok(listed.ports > 900, `${listed.ports} ports`);
  assert.equal(windowsNaming, 9, 'and in every earlier window after the first');
  assert.deepEqual(last.scanners, { server: 1, client: 0 }, 'the flood names nobody');
  const stats = t.getStats();
  assert.equal(stats.sources, 1024);
  // Every flood source took a slot or was turned away by admission (seen no more often than what it would replace).
  assert.ok(stats.evictions + stats.notAdmitted >= FLOOD - 1024, `${stats.evictions} evictions, ${stats.notAdmitted} not admitted`);
  assert.equal(stats.detections, 1);
  // The table allocates nothing per packet: what grows is V8 bookkeeping, far under a byte a packet.
  assert.ok(heapGrowth < 256 * 1024, `heap grew ${heapGrowth} B over ${FLOOD - 100_000} packets`);
  // Reported, not asserted: 32-bit hashes returned across calls are boxed by V8 now and then (a few scavenges
  // a million probes under full churn); nothing survives them, as the heap check shows.
  process.stderr.write(`# eviction flood: ${collections} scavenges over ${FLOOD - 100_000} probes, heap ${heapGrowth} B\n`);
});

test('with -maxSources 65536 the same flood keeps the scanner too, and the table is 64 times the default', () => {
  const small = table();
  const t = table({ maxSources: 65536 });
  assert.equal(t.bytes, small.bytes * 64);
  const f = new Feeder(t);
  const rng = new Xorshift32(7);
  const target = ipv4ToInt('192.0.2.10');
  let port = 0;
  for (let i = 0; i < 200_000; i++) {
    f.v4(ProbeKind.Syn, rng.nextU32(), target, 80, T0);
    if (i % GAP === GAP - 1) f.v4(ProbeKind.Syn, '203.0.113.66', target, 2000 + port++, T0);
  }
  assert.deepEqual(t.closeWindow().scans.map((r) => r.source), ['203.0.113.66']);
});
