import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { run, sleep, withNamespaces, type NamespacePair } from '../../support/netns.js';
import { pengBin } from '../../support/paths.js';
import { liveSkip } from '../sources/live/live-support.js';

/** The CLI watching two interfaces while one of them is deleted and re-created. */
const skip = liveSkip || (existsSync(pengBin) ? false : `the CLI is not built (${pengBin})`);

interface Report {
  start: string;
  end: string;
  interface: string;
  capture: { synPackets: number; dropped?: number };
  partial?: boolean;
}

const FRAME_MS = 1000;

async function addDummy(pair: NamespacePair): Promise<void> {
  // A veth pair inside the target namespace (dummy devices need a kernel module CI may lack).
  await run(pair.target, 'ip', ['link', 'add', 'churn0', 'type', 'veth', 'peer', 'name', 'churn1']);
  await run(pair.target, 'ip', ['addr', 'add', '10.99.0.1/24', 'dev', 'churn0']);
  await run(pair.target, 'ip', ['link', 'set', 'churn1', 'up']);
  await run(pair.target, 'ip', ['link', 'set', 'churn0', 'up']);
  // Nobody answers ARP on the far end: a fixed neighbour lets the SYNs leave.
  await run(pair.target, 'ip', ['neigh', 'add', '10.99.0.2', 'lladdr', '02:00:0a:63:00:02', 'dev', 'churn0']);
}

/** SYNs leaving through churn0 (nothing answers them; the capture sees them go out). */
async function synsOnDummy(pair: NamespacePair, count: number): Promise<void> {
  await run(pair.target, 'hping3', ['-q', '-S', '-c', String(count), '-i', 'u10000', '-p', '++3000', '10.99.0.2'], { check: false, timeoutMs: 10_000 });
}

test('an interface deleted and re-created mid-run: Peng lives, the other interface keeps its windows, the affected window is partial, capture resumes within a window', { skip, timeout: 90_000 }, async () => {
  await withNamespaces(async (pair) => {
    await addDummy(pair);
    // As root without a user switch, so the capture can be reopened (a dropped user cannot open one).
    const peng = pair.spawn(pair.target, process.execPath, [pengBin, '-network', `${pair.target.ifName},churn0`, '-json', '-verbose', '0', '-timeFrame', `${FRAME_MS}ms`, '-user', '']);
    const reports = (): Report[] => peng.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Report);
    const of = (name: string): Report[] => reports().filter((r) => r.interface === name);
    const waitFor = async (what: string, ok: () => boolean, ms = 10_000): Promise<void> => {
      const deadline = Date.now() + ms;
      while (!ok()) {
        assert.ok(peng.running, `peng exited while waiting for ${what}: ${peng.stderr}`);
        assert.ok(Date.now() < deadline, `no ${what} within ${ms} ms: ${peng.stderr}`);
        await sleep(20);
      }
    };
    await waitFor('two windows', () => of('churn0').length >= 2);
    await synsOnDummy(pair, 5);
    await waitFor('the SYNs before deletion', () => of('churn0').some((r) => r.capture.synPackets > 0));

    const beforeDelete = of('churn0').length;
    await run(pair.target, 'ip', ['link', 'del', 'churn0']);
    await waitFor('the loss on stderr', () => /churn0: capture lost/.test(peng.stderr));
    await sleep(1500);
    await addDummy(pair);
    const recreatedAt = Date.now();
    await waitFor('the capture back', () => /churn0: capturing again after/.test(peng.stderr), 2 * FRAME_MS + 2000);
    const resumedAfterMs = Date.now() - recreatedAt;
    await synsOnDummy(pair, 5);
    await sleep(FRAME_MS + 500);
    await waitFor('SYNs after re-creation', () => of('churn0').slice(beforeDelete).some((r) => r.capture.synPackets > 0));
    assert.ok(peng.running, peng.stderr);
    const { code, signal } = await peng.stop('SIGTERM', 10_000);
    assert.equal(signal, null, peng.stderr);
    assert.equal(code, 0, peng.stderr);

    assert.ok(resumedAfterMs <= FRAME_MS + 500, `resumed ${resumedAfterMs} ms after the interface came back: within one window`);
    const churn = of('churn0');
    const affected = churn.slice(beforeDelete);
    assert.equal(affected[0]!.partial, true, 'the window in which the interface vanished is partial');
    assert.ok(affected.some((r) => r.capture.synPackets === 5 && r.partial !== true), 'a whole window after resumption counted the SYNs');
    // The other interface: every window follows the last, on the time-frame grid, none partial but the first and last.
    const veth = of(pair.target.ifName);
    assert.equal(veth.length, churn.length);
    for (let i = 1; i < veth.length - 1; i++) {
      assert.equal(veth[i]!.start, veth[i - 1]!.end);
      assert.equal(Date.parse(veth[i]!.end) - Date.parse(veth[i]!.start), FRAME_MS);
      assert.notEqual(veth[i]!.partial, true, `veth window ${i} is whole`);
    }
    for (const r of reports()) assert.equal(r.capture.dropped, 0, 'dropped is a real number, 0 here');
  });
});
