import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { EtherType, TcpFlags, tcpFrame, type VlanTag } from '../../../support/frames.js';
import { run, withNamespaces, type NamespacePair } from '../../../support/netns.js';
import { buildRoot } from '../../../support/paths.js';
import { LinkType } from '../../../src/packets/syn-record.js';
import { SYN_FILTER_TAGGED, SYN_FILTER_UNTAGGED } from '../../../src/sources/live/bpf-filter.js';
import { childScript, liveSkip, sendFrames, startCapture, stopCapture, waitForFrames } from './live-support.js';

const N = 10;

/** `count` hping3 segments with `flags` from the scanner to the target, one port each from `basePort`. */
async function hping(pair: NamespacePair, flags: string[], basePort: number, count = N): Promise<void> {
  const args = ['-q', ...flags, '-c', String(count), '-i', 'u2000', '-p', `++${basePort}`, pair.target.ipv4];
  await run(pair.scanner, 'hping3', args, { timeoutMs: 15_000, check: false });
}

/** tcpdump in the target namespace; resolves to the number of packets it captured. */
function tcpdumpCount(pair: NamespacePair, filter: string): { ready: Promise<void>; stop: () => Promise<number> } {
  const bg = pair.spawn(pair.target, 'tcpdump', ['-i', pair.target.ifName, '--immediate-mode', '-nn', '-q', '-w', '/dev/null', filter]);
  return {
    ready: bg.waitFor(/listening on/, 10_000),
    stop: async () => {
      await bg.stop('SIGTERM', 5_000);
      const m = /(\d+) packets? captured/.exec(bg.stderr);
      if (!m) throw new Error(`tcpdump printed no count: ${bg.stderr}`);
      if (process.env.PENG_DEBUG) console.log(bg.stderr);
      return Number(m[1]);
    },
  };
}

test('ACK, RST, SYN-ACK and data segments never reach the JS callback; SYNs do (IPv4, hping3, checked with tcpdump)', { skip: liveSkip, timeout: 60_000 }, async () => {
  await withNamespaces(async (pair) => {
    // The SYN-only filter (-probes syn); other selections: probe-filter.test.ts and test/cli/live-probes.test.ts.
    const { bg, ready } = await startCapture(pair, pair.target, { interfaceName: pair.target.ifName, filter: SYN_FILTER_TAGGED });
    assert.equal(ready.linkType, LinkType.Ethernet);
    assert.equal(ready.filter, SYN_FILTER_TAGGED);
    const fromScanner = `tcp and src host ${pair.scanner.ipv4}`;
    const everything = tcpdumpCount(pair, fromScanner);
    const synOnly = tcpdumpCount(pair, `(${fromScanner}) and (${SYN_FILTER_TAGGED})`);
    await Promise.all([everything.ready, synOnly.ready]);

    // Everything that must be filtered goes first: once the SYNs (sent last) are counted, the rest has passed.
    await hping(pair, ['-A'], 2000);
    await hping(pair, ['-R'], 3000);
    await hping(pair, ['-S', '-A'], 4000);
    await hping(pair, ['-P', '-A', '-d', '32'], 5000);
    await hping(pair, ['-F', '-A'], 6000);
    await hping(pair, ['-S'], 1000);
    await waitForFrames(bg, N);
    const result = await stopCapture(bg);

    assert.equal(result.frames, N, 'callback invocations');
    assert.equal(result.syn, N);
    assert.deepEqual([...result.ports].sort((a, b) => a - b), Array.from({ length: N }, (_, i) => 1000 + i));
    assert.equal(await everything.stop(), 6 * N, 'tcpdump saw every segment arrive');
    assert.equal(await synOnly.stop(), N, 'tcpdump with the same filter agrees');
  });
});

test('IPv6 SYNs reach the callback; handshake replies, data and FINs do not', { skip: liveSkip, timeout: 60_000 }, async () => {
  await withNamespaces(async (pair) => {
    const server = pair.spawn(pair.target, process.execPath, [
      '-e',
      `require('net').createServer((s) => { s.on('data', () => {}); s.on('error', () => {}); s.end('bye'); }).listen(8080, '::', () => console.log('LISTENING'))`,
    ]);
    await server.waitFor(/LISTENING/);
    const { bg } = await startCapture(pair, pair.target, { interfaceName: pair.target.ifName, filter: SYN_FILTER_TAGGED });
    const connections = 5;
    const closedPorts = N;
    // Full connections to the listener (SYN, SYN-ACK, ACK, data, FIN), then SYNs to closed ports (RST answers).
    const client = `
      const net = require('net');
      const host = ${JSON.stringify(pair.target.ipv6)};
      const one = (port, data) => new Promise((resolve) => {
        const s = net.connect({ host, port }, () => { if (data) s.write('hello'); });
        s.on('data', () => {}); s.on('error', resolve); s.on('close', resolve);
      });
      (async () => {
        for (let i = 0; i < ${connections}; i++) await one(8080, true);
        for (let i = 0; i < ${closedPorts}; i++) await one(7000 + i, false);
      })();`;
    await run(pair.scanner, process.execPath, ['-e', client], { timeoutMs: 15_000 });
    await waitForFrames(bg, connections + closedPorts);
    const result = await stopCapture(bg);

    assert.equal(result.frames, connections + closedPorts);
    assert.equal(result.syn, connections + closedPorts);
    assert.ok(result.families.every((f) => f === 6), 'every SYN was IPv6');
    assert.equal(result.ports.filter((p) => p === 8080).length, connections);
  });
});

test('802.1Q and QinQ tagged SYNs reach the callback; tagged ACKs and SYN-ACKs do not', { skip: liveSkip, timeout: 60_000 }, async () => {
  await withNamespaces(async (pair) => {
    const { bg } = await startCapture(pair, pair.target, { interfaceName: pair.target.ifName, filter: SYN_FILTER_TAGGED });
    const dot1q: VlanTag[] = [{ vlan: 7 }];
    const qinq: VlanTag[] = [{ tpid: EtherType.QinQ, vlan: 100 }, { vlan: 7 }];
    const frame = (tags: VlanTag[], flags: number, dstPort: number, v6 = false): Uint8Array =>
      tcpFrame({
        link: 'ethernet',
        tags,
        tcp: { flags, dstPort },
        ...(v6 ? { ipv6: { src: pair.scanner.ipv6, dst: pair.target.ipv6 } } : { ipv4: { src: pair.scanner.ipv4, dst: pair.target.ipv4 } }),
      });
    const ports = Array.from({ length: N }, (_, i) => i);
    const filtered = [
      ...ports.map((i) => frame(dot1q, TcpFlags.ACK, 2000 + i)),
      ...ports.map((i) => frame(dot1q, TcpFlags.SYN | TcpFlags.ACK, 2100 + i, true)),
      ...ports.map((i) => frame(qinq, TcpFlags.RST, 2200 + i)),
      ...ports.map((i) => frame([], TcpFlags.SYN | TcpFlags.ACK, 2300 + i)),
    ];
    const syns = [
      ...ports.map((i) => frame(dot1q, TcpFlags.SYN, 1000 + i)),
      ...ports.map((i) => frame(dot1q, TcpFlags.SYN, 1100 + i, true)),
      ...ports.map((i) => frame(qinq, TcpFlags.SYN, 1200 + i)),
    ];
    await sendFrames(pair, pair.scanner, [...filtered, ...syns]);
    await waitForFrames(bg, syns.length);
    const result = await stopCapture(bg);

    assert.equal(result.frames, syns.length);
    assert.equal(result.syn, syns.length, 'the decoder read every tagged SYN');
    assert.deepEqual([...result.ports].sort((a, b) => a - b), [...ports.map((i) => 1000 + i), ...ports.map((i) => 1100 + i), ...ports.map((i) => 1200 + i)]);
  });
});

test('-network any captures Linux cooked frames and still passes only SYNs', { skip: liveSkip, timeout: 60_000 }, async () => {
  await withNamespaces(async (pair) => {
    const { bg, ready } = await startCapture(pair, pair.target, { interfaceName: 'any', filter: SYN_FILTER_UNTAGGED });
    assert.equal(ready.linkType, LinkType.LinuxSll);
    assert.equal(ready.filter, SYN_FILTER_UNTAGGED);
    await hping(pair, ['-A'], 2000);
    await hping(pair, ['-R'], 3000);
    await hping(pair, ['-S'], 1000);
    await waitForFrames(bg, N);
    const result = await stopCapture(bg);
    assert.equal(result.frames, N);
    assert.equal(result.syn, N);
  });
});

test('a missing interface is an error naming the available ones', { skip: liveSkip, timeout: 30_000 }, async () => {
  await withNamespaces(async (pair) => {
    const request = JSON.stringify({ interfaceName: 'eth9' });
    const out = await run(pair.target, 'env', ['PENG_LIVE_CHILD=1', process.execPath, childScript, 'capture', request], { check: false });
    assert.equal(out.code, 2);
    const error = JSON.parse(/^ERROR (.*)$/m.exec(out.stdout)![1]!) as { code: string; message: string };
    assert.deepEqual(error, { code: 'interface-not-found', message: `interface eth9 not found; available: lo, ${pair.target.ifName}` });
  });
});

test('without capture rights the error says to run as root or grant the two capabilities', { skip: liveSkip, timeout: 30_000 }, async () => {
  await withNamespaces(async (pair) => {
    const request = JSON.stringify({ interfaceName: pair.target.ifName });
    const out = await run(
      pair.target,
      'setpriv',
      ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=-all', 'env', 'PENG_LIVE_CHILD=1', process.execPath, childScript, 'capture', request],
      { check: false },
    );
    assert.equal(out.code, 2, out.stderr);
    const error = JSON.parse(/^ERROR (.*)$/m.exec(out.stdout)![1]!) as { code: string; message: string };
    assert.equal(error.code, 'permission-denied');
    assert.match(error.message, /^no permission to capture on veth0 \(.*\): run as root \(Peng drops to -user once the capture is open\), or grant CAP_NET_RAW and CAP_NET_ADMIN with AmbientCapabilities, as examples\/systemd\/peng.service does$/);
  });
});

test('opened, closed and failed captures survive garbage collection', { skip: liveSkip, timeout: 30_000 }, async () => {
  const module = join(buildRoot, 'src', 'sources', 'live', 'live-capture.js');
  const script = `import(${JSON.stringify(module)}).then(async ({ openLiveCapture }) => {
    const consumer = { onFrame() {} };
    for (let i = 0; i < 5; i++) {
      openLiveCapture({ interfaceName: 'lo', consumer }).close();
      try { openLiveCapture({ interfaceName: 'lo', filter: 'tcp[', consumer }); } catch {}
      globalThis.gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    globalThis.gc();
    console.log('SURVIVED');
  })`;
  const out = await run(null, process.execPath, ['--expose-gc', '-e', script], { check: false, timeoutMs: 20_000 });
  assert.equal(out.signal, null, `crashed with ${out.signal}`);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /SURVIVED/);
});
