import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createNamespacePair, run, sweepStaleNamespaces, type NamespacePair } from '../../support/netns.js';
import { liveSkip } from '../sources/live/live-support.js';
import { assertNamedInTime, assertNobodyNamed, captureAndReplay, type Window } from './scanners-attribution.js';

/**
 * Real scanners against a namespace of our own; tcpdump on the target's veth, then `peng replay` with 1 s
 * windows: each scanner is named, by its source, in the window its probes became enough; benign traffic
 * names nobody. Every scanner run is bounded: few ports, one retry, a 100 ms RTT ceiling, a host timeout.
 */
const skip = liveSkip;
const NMAP = ['-n', '-Pn', '--max-retries', '1', '--max-rtt-timeout', '100ms', '--host-timeout', '20s'];
const HTTP_PORT = 8080;
/** 40 extra addresses on the target's veth, in its /24: the sweep's and the browsing client's hosts. */
const EXTRA = 40;
const LIMIT = { timeout: 60_000, skip };

let pair: NamespacePair;
let dir: string;
let local: string[];
let extra: string[];

before(async () => {
  if (skip) return;
  await sweepStaleNamespaces();
  dir = mkdtempSync(join(tmpdir(), 'peng-attr-'));
  pair = await createNamespacePair();
  const net = pair.target.ipv4.replace(/\.\d+$/, '');
  extra = Array.from({ length: EXTRA }, (_, i) => `${net}.${64 + i}`);
  for (const a of extra) await run(pair.target.name, 'ip', ['addr', 'add', `${a}/32`, 'dev', pair.target.ifName]);
  local = [pair.target.ipv4, pair.target.ipv6, `${net}.64/26`];
  // One HTTP listener on every address (dual stack): the open port -O and -sV need, and the browsing client's servers.
  const server = pair.spawn(pair.target, process.execPath, [
    '-e',
    `require('node:http').createServer((q, s) => s.end('ok')).listen(${HTTP_PORT}, '::', () => console.log('listening'))`,
  ]);
  await server.waitFor(/listening/, 10_000);
});

after(async () => {
  await pair?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const scan = (name: string, traffic: () => Promise<unknown>): Promise<Window[]> => captureAndReplay(pair, dir, name, local, traffic);
const nmap = (args: string[], target = pair.target.ipv4): Promise<unknown> => run(pair.scanner, 'nmap', [...NMAP, ...args, target], { timeoutMs: 40_000 });

// Vertical TCP scans of 100 ports: Zeek's 15 distinct ports (a few more for retries and sketch rounding).
// Closed ports answer RST, so TRW's failures name most scans by their 4th-5th probe.
const CLOSED = ['failures', 'vertical'];
for (const [flag, reasons] of [['-sS', CLOSED], ['-sT', CLOSED], ['-sF', CLOSED], ['-sN', ['stealth']], ['-sX', ['stealth']], ['-sA', CLOSED]] as const) {
  test(`nmap ${flag} -p 1000-1099 is named (${reasons.join(' or ')})`, LIMIT, async () => {
    const w = await scan(`nmap${flag}`, () => nmap([flag, '-p', '1000-1099']));
    assertNamedInTime(w, pair.scanner, flag === '-sN' || flag === '-sX' ? 2 : 20, reasons);
  });
}

test('nmap -sU on 20 ports is named (UDP ports count apart from TCP)', LIMIT, async () => {
  const w = await scan('nmap-sU', () => nmap(['-sU', '-p', '1000-1019']));
  assertNamedInTime(w, pair.scanner, 20, CLOSED);
});

test('nmap -O against an open and a closed port is named (its NULL and FPU probes)', LIMIT, async () => {
  const w = await scan('nmap-O', () => nmap(['-O', '-p', `${HTTP_PORT},1`]));
  assertNamedInTime(w, pair.scanner, 40, ['stealth']);
});

test('nmap -sV on 30 ports and the HTTP listener is named', LIMIT, async () => {
  const w = await scan('nmap-sV', () => nmap(['-sV', '--version-intensity', '0', '-p', `1-30,${HTTP_PORT}`]));
  assertNamedInTime(w, pair.scanner, 20, CLOSED);
});

test('masscan TCP and UDP (100 ports each, 1000 pps) are named', LIMIT, async () => {
  const p = pair;
  for (const ports of ['1-100', 'U:1-100']) {
    const w = await scan(`masscan-${ports}`, () =>
      run(p.scanner, 'masscan', [p.target.ipv4, `-p${ports}`, '--rate', '1000', '--wait', '0', '-e', p.scanner.ifName, '--adapter-ip', p.scanner.ipv4, '--router-mac', p.target.mac], { timeoutMs: 20_000, check: false }),
    );
    assertNamedInTime(w, p.scanner, 20, CLOSED);
  }
});

/**
 * -T0 waits 5 minutes between probes and -T1 15 s, -T2 0.4 s: --scan-delay 50ms bounds those three (they keep
 * their serial, one-probe-at-a-time order); -T3..-T5 run as they are on 40 ports.
 */
test('nmap -T0 ... -T5 are named', { ...LIMIT, timeout: 90_000 }, async () => {
  for (let t = 0; t <= 5; t++) {
    const slow = t <= 2 ? ['--scan-delay', '50ms', '--max-scan-delay', '50ms'] : [];
    const w = await scan(`nmap-T${t}`, () => nmap([`-T${t}`, ...slow, '-sS', '-p', '2000-2039']));
    assertNamedInTime(w, pair.scanner, 20, CLOSED);
  }
});

// nmap would ping hosts on its own link by ARP: --disable-arp-ping keeps it to TCP SYN pings.
test('a SYN-ping sweep of port 80 across 40 addresses is named horizontal', LIMIT, async () => {
  const w = await scan('sweep', () => run(pair.scanner, 'nmap', ['-n', '-sn', '-PS80', '--disable-arp-ping', '--max-retries', '1', '--max-rtt-timeout', '100ms', ...extra], { timeoutMs: 30_000 }));
  assertNamedInTime(w, pair.scanner, 30, ['failures', 'horizontal']);
});

test('an IPv6 nmap -sS is named by its IPv6 address', LIMIT, async () => {
  const w = await scan('nmap6', () => nmap(['-6', '-sS', '-p', '1000-1099'], pair.target.ipv6));
  assertNamedInTime(w, pair.scanner.ipv6, 20, CLOSED);
});

test('benign: 500 SYNs to one port (hping3), 200 HTTP requests (curl), a spoofed 5000-SYN flood, 40 servers browsed: nobody named', { ...LIMIT, timeout: 90_000 }, async () => {
  const p = pair;
  assertNobodyNamed(await scan('brute', () => run(p.scanner, 'hping3', ['-q', '-S', '-p', '22', '-c', '500', '-i', 'u1000', p.target.ipv4], { timeoutMs: 20_000, check: false })));
  const url = `http://${p.target.ipv4}:${HTTP_PORT}/`;
  assertNobodyNamed(await scan('curl', () => run(p.scanner, 'sh', ['-c', `for i in $(seq 200); do curl -s -o /dev/null ${url} || exit 1; done`], { timeoutMs: 40_000 })));
  const flood = await scan('flood', () => run(p.scanner, 'hping3', ['-q', '-S', '--rand-source', '-p', '80', '-c', '5000', '-i', 'u200', p.target.ipv4], { timeoutMs: 20_000, check: false }));
  assertNobodyNamed(flood);
  assert.ok(flood.reduce((n, w) => n + (w.probes?.server.syn ?? 0), 0) >= 4900, 'the flood was captured');
  // Browsing: one request to each of 40 servers, all answered: horizontal fan-out, but TRW's benign side.
  const browse = extra.map((a) => `curl -s -o /dev/null http://${a}:${HTTP_PORT}/ || exit 1`).join('; ');
  assertNobodyNamed(await scan('browse', () => run(p.scanner, 'sh', ['-c', browse], { timeoutMs: 30_000 })));
});
