import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, sleep, withNamespaces, type Background, type Namespace, type NamespacePair } from '../../support/netns.js';
import { pengBin } from '../../support/paths.js';
import { encapsulate } from '../../support/encapsulations.js';
import { ipv4Packet, tcpSegment, TcpFlags } from '../../support/frames.js';
import { liveSkip, sendFrames } from '../sources/live/live-support.js';
import { captureWhile } from '../run/replay/capture.js';

/**
 * `-probes` live: the kernel filter passes the enabled kinds (real scanners, each kind in its direction, and
 * replay of the same traffic agrees), keeps an established flow's data segments out of JavaScript, and
 * passes tunnelled probes when `tunnels` is on. Needs root, namespaces, nmap, masscan, tcpdump.
 */
const skip = liveSkip || (existsSync(pengBin) ? false : `the CLI is not built (${pengBin})`);

type Counts = Record<string, number>;
interface Report {
  start: string;
  end: string;
  server: { synPackets: number };
  capture: { frames: number };
  probes: { server: Counts; client: Counts };
}

class Peng {
  readonly bg: Background;
  constructor(pair: NamespacePair, args: string[]) {
    this.bg = pair.spawn(pair.target, process.execPath, [pengBin, '-network', pair.target.ifName, '-json', '-verbose', '0', '-timeFrame', '1s', ...args]);
  }
  get reports(): Report[] {
    return this.bg.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Report);
  }
  async started(): Promise<void> {
    await this.bg.waitFor(/^\{/m, 15_000); // a first window: the capture is open
  }
  /** Waits until a window that started after `since` has been reported: everything sent before it is in. */
  async settled(since: number): Promise<Report[]> {
    for (const deadline = Date.now() + 10_000; !this.reports.some((r) => Date.parse(r.start) > since); await sleep(20)) {
      if (!this.bg.running || Date.now() > deadline) throw new Error(`no window after the traffic: ${this.bg.stderr.trim()}`);
    }
    return this.reports;
  }
}

/** Sums of a report list: frames, SYNs and each `direction.kind` counter. */
function totals(reports: readonly Report[]): Counts {
  const out: Counts = { frames: 0, syn: 0 };
  for (const r of reports) {
    out.frames! += r.capture.frames;
    for (const direction of ['server', 'client'] as const) for (const [kind, n] of Object.entries(r.probes[direction])) out[`${direction}.${kind}`] = (out[`${direction}.${kind}`] ?? 0) + n;
  }
  return out;
}

const delta = (after: Counts, before: Counts): Counts => Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));

const PORTS = 100;
const ALL = 'syn,stealth,ack,udp,icmp,replies';

test('live: nmap -sF/-sN/-sX/-sM/-sA/-sU/-PE and masscan UDP show each kind in its direction, and replay of the capture agrees', { skip, timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peng-live-probes-'));
  try {
    await withNamespaces(async (pair) => {
      const { scanner, target } = pair;
      const peng = new Peng(pair, ['-probes', ALL, '-localAddresses', target.ipv4]);
      await peng.started();
      const nmap = (args: string[]): Promise<unknown> => run(scanner, 'nmap', ['-n', '-Pn', '--max-retries', '0', ...args, target.ipv4], { timeoutMs: 60_000 });
      const scans: [string, () => Promise<unknown>, Counts][] = [
        ['nmap -sF', () => nmap(['-sF', '-p', `1-${PORTS}`]), { 'server.fin': PORTS, 'server.rst': PORTS }],
        ['nmap -sN', () => nmap(['-sN', '-p', `1-${PORTS}`]), { 'server.null': PORTS, 'server.rst': PORTS }],
        ['nmap -sX', () => nmap(['-sX', '-p', `1-${PORTS}`]), { 'server.xmas': PORTS, 'server.rst': PORTS }],
        ['nmap -sM', () => nmap(['-sM', '-p', `1-${PORTS}`]), { 'server.maimon': PORTS, 'server.rst': PORTS }],
        ['nmap -sA', () => nmap(['-sA', '-p', `1-${PORTS}`]), { 'server.ack': PORTS, 'server.rst': PORTS }],
        ['nmap -sU', () => nmap(['-sU', '-p', '1-10']), { 'server.udp': 10, 'server.icmpUnreachable': 1 }],
        ['nmap -PE', () => run(scanner, 'nmap', ['-n', '-sn', '-PE', '--send-ip', target.ipv4], { timeoutMs: 30_000 }), { 'server.icmpEcho': 1 }],
        [
          'masscan UDP',
          () => run(scanner, 'masscan', [target.ipv4, '-pU:1-50', '--rate', '2000', '--wait', '1', '-e', scanner.ifName, '--router-mac', target.mac], { timeoutMs: 30_000, check: false }),
          { 'server.udp': 50 },
        ],
      ];
      const file = join(dir, 'scans.pcap');
      const stats = await captureWhile(pair, target, file, async () => {
        for (const [name, scan, expected] of scans) {
          const before = totals(peng.reports);
          await scan();
          const after = totals(await peng.settled(Date.now()));
          const got = delta(after, before);
          for (const [key, n] of Object.entries(expected)) assert.ok((got[key] ?? 0) >= n, `${name}: ${key} ${got[key]} < ${n} (${JSON.stringify(got)})`);
          // Probes were seen from the scanner's side only: no probe counted as ours.
          for (const kind of ['fin', 'null', 'xmas', 'maimon', 'udp', 'icmpEcho']) assert.equal(got[`client.${kind}`] ?? 0, 0, `${name}: client.${kind}`);
        }
      });
      assert.equal(stats.droppedByKernel, 0, 'tcpdump dropped packets');
      await peng.bg.stop('SIGTERM', 10_000);
      const live = totals(peng.reports);
      const { stdout } = await run(null, process.execPath, [pengBin, 'replay', file, '-json', '-timeFrame', '1h', '-probes', ALL, '-localAddresses', target.ipv4], { timeoutMs: 60_000 });
      const replay = totals(stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Report));
      // The capture started after Peng, stopped before it: every probe kind replayed equals what live counted.
      assert.ok(replay['server.fin']! >= PORTS && replay['server.udp']! >= 60, `replay counted the scans: ${JSON.stringify(replay)}`);
      for (const key of Object.keys(replay).filter((k) => k.startsWith('server.') || k.startsWith('client.'))) assert.equal(replay[key], live[key], `replay vs live: ${key}`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * A 8 MiB TCP transfer from scanner to target (node on both ends), bounded in time. One segment per GSO
 * packet on the sender: veth otherwise carries 64 KiB super-segments that all have PSH, and the data
 * segments that matter, flags ACK alone like a pure ACK, would not occur.
 */
async function bulkTransfer(pair: NamespacePair): Promise<void> {
  await run(pair.scanner, 'ip', ['link', 'set', 'dev', pair.scanner.ifName, 'gso_max_segs', '1']);
  const server = pair.spawn(pair.scanner, process.execPath, ['-e', "require('net').createServer((s) => s.end(Buffer.alloc(8 << 20))).listen(8080, () => console.log('LISTENING'))"]);
  await server.waitFor(/LISTENING/, 10_000);
  const client = `const s = require('net').connect(8080, '${pair.scanner.ipv4}'); let n = 0; s.on('data', (d) => (n += d.length)); s.on('end', () => { console.log(n); process.exit(0); })`;
  const { stdout } = await run(pair.target, process.execPath, ['-e', client], { timeoutMs: 30_000 });
  assert.equal(Number(stdout.trim()), 8 << 20, 'the whole transfer arrived');
  await server.stop('SIGTERM', 5_000);
}

async function tsharkCount(file: string, filter: string): Promise<number> {
  const { stdout } = await run(null, 'tshark', ['-r', file, '-n', '-Y', filter, '-T', 'fields', '-e', 'frame.number'], { timeoutMs: 60_000 });
  return stdout.split('\n').filter((l) => l.trim() !== '').length;
}

for (const probes of ['', 'syn,ack']) {
  test(`live -probes ${probes || '(default)'}: an established flow's data segments never reach JavaScript`, { skip, timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peng-live-flow-'));
    try {
      await withNamespaces(async (pair) => {
        const peng = new Peng(pair, probes === '' ? [] : ['-probes', probes]);
        await peng.started();
        const file = join(dir, 'flow.pcap');
        const before = totals(peng.reports);
        await captureWhile(pair, pair.target, file, () => bulkTransfer(pair), ['tcp', 'port', '8080']);
        const got = delta(totals(await peng.settled(Date.now())), before);
        await peng.bg.stop('SIGTERM', 10_000);
        const data = await tsharkCount(file, 'tcp.len > 0');
        const ackOnlyData = await tsharkCount(file, 'tcp.len > 0 && tcp.flags == 0x010');
        const pureAcks = await tsharkCount(file, 'tcp.len == 0 && tcp.flags == 0x010');
        const handshakeAndClose = await tsharkCount(file, 'tcp.len == 0 && (tcp.flags.syn == 1 || tcp.flags.fin == 1 || tcp.flags.reset == 1)');
        assert.ok(ackOnlyData >= 1000, `tcpdump saw ${ackOnlyData} data segments flagged ACK alone (${data} in all)`);
        // Peng's frames: the SYN, SYN-ACK and empty FIN-ACKs (default), plus the pure ACKs with `ack`; no data segment.
        const allowed = handshakeAndClose + (probes.includes('ack') ? pureAcks : 0);
        assert.ok(got.frames! <= allowed, `Peng saw ${got.frames} frames; only ${allowed} carry no data (${data} do)`);
        assert.ok(got.frames! >= (probes.includes('ack') ? pureAcks : 1), `Peng saw ${got.frames} frames`);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** Adds a VXLAN tunnel (VNI 42, UDP 4789) over the veth, inner addresses 10.98.0.1 (scanner) and .2. */
async function vxlan(ns: Namespace, local: string, remote: string, inner: string): Promise<void> {
  await run(ns, 'ip', ['link', 'add', 'vx0', 'type', 'vxlan', 'id', '42', 'local', local, 'remote', remote, 'dstport', '4789', 'dev', ns.ifName]);
  await run(ns, 'ip', ['addr', 'add', `${inner}/24`, 'dev', 'vx0']);
  await run(ns, 'ip', ['link', 'set', 'vx0', 'up']);
}

test('live: a scan through a VXLAN tunnel and GRE-encapsulated SYNs are counted on the underlay with tunnels, not without', { skip, timeout: 120_000 }, async () => {
  await withNamespaces(async (pair) => {
    const { scanner, target } = pair;
    await vxlan(scanner, scanner.ipv4, target.ipv4, '10.98.0.1');
    await vxlan(target, target.ipv4, scanner.ipv4, '10.98.0.2');
    // This kernel has no ip_gre: GRE frames are built and injected on the scanner's veth end instead.
    const greSyns = Array.from({ length: 50 }, (_, i) => encapsulate('gre-ip', ipv4Packet({ src: '10.97.0.1', dst: '10.97.0.2' }, tcpSegment({ flags: TcpFlags.SYN, dstPort: 1000 + i }))));
    for (const [probes, expected] of [['syn,tunnels', true], ['syn', false]] as const) {
      const peng = new Peng(pair, ['-probes', probes, '-localAddresses', `${target.ipv4},10.98.0.2,10.97.0.2`]);
      await peng.started();
      const before = totals(peng.reports);
      await run(scanner, 'nmap', ['-n', '-Pn', '-sS', '--max-retries', '0', '-p', `1-${PORTS}`, '10.98.0.2'], { timeoutMs: 60_000 });
      await sendFrames(pair, scanner, greSyns);
      const got = delta(totals(await peng.settled(Date.now())), before);
      await peng.bg.stop('SIGTERM', 10_000);
      if (expected) assert.ok(got['server.syn']! >= PORTS + greSyns.length, `-probes ${probes}: ${got['server.syn']} SYNs through the tunnels`);
      else assert.equal(got['server.syn'], 0, `-probes ${probes}: tunnelled SYNs stay in the kernel`);
    }
  });
});
