import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, sleep, withNamespaces } from '../../support/netns.js';
import { pengBin } from '../../support/paths.js';
import { liveSkip } from '../sources/live/live-support.js';
import { assertNobodyNamed, parseWindows } from './scanners-attribution.js';

const PEERS = 30;
const peer = (h: number): string => `10.201.0.${h}`;

/** The watched host opens one connection to each peer, says `open`, and closes them all once `trigger` exists. */
const clientScript = (trigger: string): string => `
  const net = require('node:net'), fs = require('node:fs');
  const sockets = [];
  let open = 0;
  for (let h = 1; h <= ${PEERS}; h++) {
    const s = net.connect({ host: '10.201.0.' + h, port: 8080 }, () => { if (++open === ${PEERS}) console.log('open'); });
    s.on('error', (e) => { console.error(e.message); process.exit(1); });
    sockets.push(s);
  }
  const poll = setInterval(() => { if (fs.existsSync(${JSON.stringify(trigger)})) { clearInterval(poll); sockets.forEach((s) => s.end()); console.log('closed'); } }, 20);
  setTimeout(() => process.exit(2), 60000).unref();
`;

test("live: a host's connections opened before Peng started close with FIN+ACKs to 30 peers and name nobody (read from its socket table)", { skip: liveSkip, timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peng-conns-'));
  try {
    await withNamespaces(async (pair) => {
      const { scanner: peers, target } = pair;
      for (let h = 1; h <= PEERS; h++) await run(null, 'ip', ['-n', peers.name, 'addr', 'add', `${peer(h)}/32`, 'dev', peers.ifName]);
      await run(null, 'ip', ['-n', target.name, 'route', 'add', '10.201.0.0/24', 'dev', target.ifName]);
      const servers = pair.spawn(peers, process.execPath, ['-e', "require('node:net').createServer((s) => s.on('end', () => s.end())).listen(8080, () => console.log('listening'))"]);
      await servers.waitFor(/listening/);
      const trigger = join(dir, 'close');
      const client = pair.spawn(target, process.execPath, ['-e', clientScript(trigger)]);
      await client.waitFor(/^open$/m, 15_000);
      const peng = pair.spawn(target, process.execPath, [pengBin, '-network', target.ifName, '-json', '-verbose', '0', '-timeFrame', '2s', '-localAddresses', target.ipv4]);
      const windows = async (n: number): Promise<void> => {
        const deadline = Date.now() + 15_000;
        while (parseWindows(peng.stdout).length < n) {
          if (!peng.running || Date.now() > deadline) throw new Error(`no window ${n}: ${peng.stderr}`);
          await sleep(20);
        }
      };
      await windows(1);
      writeFileSync(trigger, '');
      await client.waitFor(/^closed$/m, 10_000);
      await windows(parseWindows(peng.stdout).length + 2);
      const all = parseWindows(peng.stdout);
      const finAcks = all.reduce((n, w) => n + (w.probes?.client.maimon ?? 0), 0);
      assert.ok(finAcks >= PEERS, `the closes were captured (${finAcks} FIN+ACKs from the host)`);
      assertNobodyNamed(all);
      const exit = await peng.stop('SIGTERM', 10_000);
      assert.equal(exit.code, 0, peng.stderr);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
