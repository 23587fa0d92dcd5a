import assert from 'node:assert/strict';
import { test } from 'node:test';
import { run, sleep, withNamespaces, type Background, type NamespacePair } from '../../support/netns.js';
import { pengBin } from '../../support/paths.js';
import { liveSkip } from '../sources/live/live-support.js';
import { assertNamedInTime, assertNobodyNamed, parseWindows, type Window } from './scanners-attribution.js';

/** Live: Peng on the target's veth (2 s windows), real scanners from the other namespace. */
const NMAP = ['-n', '-Pn', '--max-retries', '1', '--max-rtt-timeout', '100ms', '--host-timeout', '20s'];
const CLOSED = ['failures', 'vertical'];

class LivePeng {
  readonly bg: Background;
  constructor(pair: NamespacePair) {
    const local = `${pair.target.ipv4},${pair.target.ipv6}`;
    this.bg = pair.spawn(pair.target, process.execPath, [pengBin, '-network', pair.target.ifName, '-json', '-verbose', '0', '-timeFrame', '2s', '-localAddresses', local]);
  }

  get windows(): Window[] {
    return parseWindows(this.bg.stdout);
  }

  private async until(n: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (this.windows.length < n) {
      if (!this.bg.running) throw new Error(`peng exited: ${this.bg.stderr}`);
      if (Date.now() > deadline) throw new Error(`no window ${n} within 15 s: ${this.bg.stderr}`);
      await sleep(20);
    }
  }

  /** Runs `traffic` right after a window closes and returns the windows from that one until one after it ends. */
  async during(traffic: () => Promise<unknown>): Promise<Window[]> {
    await this.until(this.windows.length + 1);
    const from = this.windows.length;
    await traffic();
    await this.until(this.windows.length + 2); // the window the traffic ended in, then a quiet one
    return this.windows.slice(from);
  }
}

test('live: nmap -sS, masscan and an IPv6 scan are named in the window their probes became enough; a spoofed flood names nobody', { skip: liveSkip, timeout: 90_000 }, async () => {
  await withNamespaces(async (pair) => {
    const peng = new LivePeng(pair);
    const { scanner, target } = pair;
    const syn = await peng.during(() => run(scanner, 'nmap', [...NMAP, '-sS', '-p', '1000-1099', target.ipv4], { timeoutMs: 30_000 }));
    assertNamedInTime(syn, scanner, 20, CLOSED);
    const masscan = await peng.during(() =>
      run(scanner, 'masscan', [target.ipv4, '-p2000-2099', '--rate', '1000', '--wait', '0', '-e', scanner.ifName, '--adapter-ip', '10.200.250.1', '--router-mac', target.mac], { timeoutMs: 20_000, check: false }),
    );
    // masscan from an address the target does not have a route back to: no replies, so the port count names it.
    assertNamedInTime(masscan, '10.200.250.1', 20, ['vertical']);
    const v6 = await peng.during(() => run(scanner, 'nmap', ['-6', ...NMAP, '-sS', '-p', '1000-1099', target.ipv6], { timeoutMs: 30_000 }));
    assertNamedInTime(v6, scanner.ipv6, 20, CLOSED);
    const flood = await peng.during(() => run(scanner, 'hping3', ['-q', '-S', '--rand-source', '-p', '80', '-c', '3000', '-i', 'u300', target.ipv4], { timeoutMs: 20_000, check: false }));
    assertNobodyNamed(flood.filter((w) => (w.probes?.server.syn ?? 0) > 0));
    const exit = await peng.bg.stop('SIGTERM', 10_000);
    assert.equal(exit.code, 0, peng.bg.stderr);
  });
});
