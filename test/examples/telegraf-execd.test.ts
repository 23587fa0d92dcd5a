// The execd command of examples/telegraf/peng.conf, run the way Telegraf runs it under the drop-in
// examples/telegraf/telegraf.service.d/peng-capture.conf: an unprivileged user holding the drop-in's
// ambient capabilities, stdout and stdin as pipes, stopped by closing stdin. The target namespace's only
// interface is veth0, so a hard-coded -network eth0 would fail here as it does on ens*/enp* hosts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, sleep, withNamespaces } from '../../support/netns.js';
import { pengBin, repoRoot } from '../../support/paths.js';
import { liveSkip } from '../sources/live/live-support.js';

const telegrafDir = join(repoRoot, 'examples', 'telegraf');

function execdCommand(): string[] {
  const toml = readFileSync(join(telegrafDir, 'peng.conf'), 'utf8');
  return JSON.parse(/^\s*command\s*=\s*(\[.*\])\s*$/m.exec(toml)![1]!) as string[];
}

/** `CAP_NET_RAW CAP_NET_ADMIN` from the drop-in, as setpriv's `+net_raw,+net_admin`. */
function ambientCaps(): string {
  const dropIn = readFileSync(join(telegrafDir, 'telegraf.service.d', 'peng-capture.conf'), 'utf8');
  const caps = /^AmbientCapabilities=(.*)$/m.exec(dropIn)![1]!.trim().split(/\s+/);
  return caps.map((c) => '+' + c.replace(/^CAP_/, '').toLowerCase()).join(',');
}

test("peng.conf's command, unprivileged with the drop-in's ambient capabilities, reports SYNs on the default route's interface and stops when stdin closes", { skip: liveSkip, timeout: 60_000 }, async () => {
  const [, ...flags] = execdCommand();
  const caps = ambientCaps();
  await withNamespaces(async (pair) => {
    const { target, scanner } = pair;
    await run(target, 'ip', ['route', 'add', 'default', 'via', scanner.ipv4, 'dev', target.ifName]);
    const child = spawn('ip', [
      'netns', 'exec', target.name,
      'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups',
      `--inh-caps=-all,${caps}`, `--ambient-caps=-all,${caps}`, `--bounding-set=-all,${caps}`,
      // A short window instead of the example's 1m, given after it as a later flag wins.
      process.execPath, pengBin, ...flags, '-timeFrame', '1s',
    ], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      const ready = Date.now() + 15_000;
      while (!/watching/.test(stderr) && Date.now() < ready && child.exitCode === null) await sleep(50);
      assert.match(stderr, /watching/, stderr);
      await run(scanner, 'hping3', ['-q', '-S', '-p', '22', '-c', '30', '-i', 'u1000', target.ipv4], { check: false, timeoutMs: 20_000 });
      const synsIn = () => [...stdout.matchAll(/^peng,interface=veth0 .*server_syn_packets=(\d+)i /gm)].reduce((n, m) => n + Number(m[1]), 0);
      const deadline = Date.now() + 10_000;
      while (synsIn() < 30 && Date.now() < deadline) await sleep(200);
      assert.equal(synsIn(), 30, `stdout:\n${stdout}\nstderr:\n${stderr}`);
      // Nothing but line protocol on stdout: Telegraf parses every line with data_format = "influx".
      for (const line of stdout.trim().split('\n')) assert.match(line, /^peng(_probes|_scan)?,/);
      // Every log line carries a Telegraf level prefix.
      for (const line of stderr.trim().split('\n')) assert.match(line, /^[EWID]! /);
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const [code] = await exited;
      clearTimeout(timer);
      assert.equal(code, 0, stderr);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
