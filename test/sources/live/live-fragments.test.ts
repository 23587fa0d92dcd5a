import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, sleep, withNamespaces } from '../../../support/netns.js';
import { pengBin } from '../../../support/paths.js';
import { captureWhile } from '../../run/replay/capture.js';
import { pengReplay } from '../../run/replay/peng-replay.js';
import { liveSkip } from './live-support.js';

/**
 * nmap -sS -f and -ff split every SYN so its flags byte lies in a later fragment. Live, the kernel filter
 * must let the fragments through and the fragment table count each probe once; in replay of the same
 * traffic captured by tcpdump, Peng's SYNs must equal tshark's with its default reassembly.
 * Needs root, network namespaces, nmap, tcpdump, tshark.
 */

const skip = liveSkip || (existsSync(pengBin) ? false : `the CLI is not built (${pengBin})`);
const PORTS = 200;
const TSHARK_SYN = 'tcp.flags.syn==1 && tcp.flags.ack==0';

interface Report {
  server: { synPackets: number };
  client: { synPackets: number };
  capture: { frames: number; synPackets: number; malformed: number };
}

async function tsharkSyns(file: string): Promise<number> {
  const { stdout } = await run(null, 'tshark', ['-r', file, '-n', '-Y', TSHARK_SYN, '-T', 'fields', '-e', 'frame.number'], { timeoutMs: 60_000 });
  return stdout.split('\n').filter((line) => line.trim() !== '').length;
}

for (const fragmentation of ['-f', '-ff']) {
  test(`live: nmap -sS ${fragmentation} -p 1-${PORTS}: each fragmented SYN counts once, live and in replay, as tshark reassembles them`, { skip, timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peng-frags-'));
    try {
      await withNamespaces(async (pair) => {
        const { scanner, target } = pair;
        const peng = pair.spawn(target, process.execPath, [pengBin, '-network', target.ifName, '-json', '-verbose', '0', '-timeFrame', '1s', '-localAddresses', target.ipv4]);
        const reports = (): Report[] => peng.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Report);
        // A first window means the capture is open.
        for (const deadline = Date.now() + 15_000; reports().length === 0; await sleep(20)) {
          if (!peng.running || Date.now() > deadline) throw new Error(`peng did not report: ${peng.stderr.trim()}`);
        }
        const file = join(dir, `nmap${fragmentation}.pcap`);
        const stats = await captureWhile(pair, target, file, async () => {
          await run(scanner, 'nmap', ['-sS', fragmentation, '-n', '-Pn', '-T4', '--max-retries', '1', '-p', `1-${PORTS}`, target.ipv4], { timeoutMs: 90_000 });
        });
        assert.equal(stats.droppedByKernel, 0, 'tcpdump dropped packets');
        await sleep(1500); // the window holding the last probes closes
        const exit = await peng.stop('SIGTERM', 10_000);
        assert.equal(exit.code, 0, peng.stderr);

        const expected = await tsharkSyns(file);
        assert.ok(expected >= PORTS, `tshark reassembled ${expected} SYNs, fewer than the ${PORTS} ports probed`);
        const live = reports().reduce((n, r) => n + r.server.synPackets, 0);
        // Never more than one per probe; cap (immediate mode, no drop counts) can lose a frame under CI load.
        assert.ok(live <= expected && live >= expected - Math.ceil(expected / 100), `live: one SYN per fragmented probe, ${live} of ${expected}`);
        assert.equal(reports().reduce((n, r) => n + r.capture.malformed, 0), 0, 'live: no fragment counted as malformed');

        const replay = await pengReplay(file, { timeFrame: '1m', local: [target.ipv4] });
        assert.equal(replay.reduce((n, w) => n + w.server.synPackets, 0), expected, 'replay: SYNs as tshark counts them');
        assert.equal(replay.reduce((n, w) => n + w.capture.malformed, 0), 0, 'replay: nothing malformed');
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
