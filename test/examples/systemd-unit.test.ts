import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config.js';
import { run, sleep, withNamespaces } from '../../support/netns.js';
import { pengBin, repoRoot } from '../../support/paths.js';
import { liveSkip } from '../sources/live/live-support.js';

const unitPath = join(repoRoot, 'examples', 'systemd', 'peng.service');

/** `Key=value` lines of the unit (later keys of the same name are appended, as systemd does for lists). */
function unitSettings(): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  for (const line of readFileSync(unitPath, 'utf8').split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) settings.set(m[1]!, [...(settings.get(m[1]!) ?? []), m[2]!]);
  }
  return settings;
}

function execArgs(settings: Map<string, string[]>): string[] {
  const exec = settings.get('ExecStart')![0]!.split(/\s+/);
  assert.deepEqual(exec.slice(0, 2), ['/usr/bin/env', 'peng']);
  return exec.slice(2);
}

function unitEnv(settings: Map<string, string[]>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const value of settings.get('Environment') ?? []) {
    for (const pair of value.split(/\s+/)) {
      const eq = pair.indexOf('=');
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}

test('the systemd unit runs unprivileged with only CAP_NET_RAW/CAP_NET_ADMIN, and its command line is a valid configuration', () => {
  const settings = unitSettings();
  assert.deepEqual(settings.get('DynamicUser'), ['yes']);
  assert.deepEqual(settings.get('AmbientCapabilities'), ['CAP_NET_RAW CAP_NET_ADMIN']);
  assert.deepEqual(settings.get('CapabilityBoundingSet'), ['CAP_NET_RAW CAP_NET_ADMIN']);
  assert.deepEqual(settings.get('NoNewPrivileges'), ['yes']);
  const config = loadConfig(execArgs(settings), unitEnv(settings));
  assert.equal(config.command, 'live');
  assert.equal(config.user, '', 'an already unprivileged service must not try to switch users');
  assert.equal(config.otlp, true);
});

test('systemd-analyze accepts the unit', { skip: process.platform !== 'linux' }, async () => {
  const result = await run(null, 'systemd-analyze', ['verify', '--man=no', unitPath], { check: false, timeoutMs: 30_000 });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr.trim(), '', 'no warnings either');
});

test('systemd-analyze security rates the unit OK (exposure at most 3.0)', { skip: process.platform !== 'linux' }, async () => {
  const result = await run(null, 'systemd-analyze', ['security', '--offline=true', '--no-pager', unitPath], { check: false, timeoutMs: 30_000 });
  const score = /Overall exposure level for peng\.service: (\d+\.\d) (\w+)/.exec(result.stdout);
  assert.ok(score, result.stdout + result.stderr);
  assert.ok(Number(score[1]) <= 3.0, `exposure ${score[1]} ${score[2]}`);
  assert.equal(score[2], 'OK');
});

test('the sandbox leaves what capture needs: packet and netlink sockets, /proc/net, the JIT, the host user namespace', () => {
  const settings = unitSettings();
  const families = (settings.get('RestrictAddressFamilies') ?? []).join(' ').split(/\s+/);
  for (const family of ['AF_PACKET', 'AF_NETLINK', 'AF_INET', 'AF_INET6']) assert.ok(families.includes(family), family);
  // The default route is read from /proc/net/route; ProcSubset=pid would hide it.
  assert.equal(settings.get('ProcSubset'), undefined);
  // V8 compiles to writable-executable pages.
  assert.equal(settings.get('MemoryDenyWriteExecute'), undefined);
  assert.deepEqual(settings.get('PrivateUsers'), ['no']);
  assert.equal(settings.get('PrivateNetwork'), undefined);
  // The OTLP endpoint of ExecStart is on localhost, the only address IPAddressAllow lets through.
  assert.match(settings.get('ExecStart')![0]!, /-otlpEndpoint http:\/\/localhost:/);
  assert.deepEqual(settings.get('IPAddressAllow'), ['localhost']);
});

/**
 * What systemd does for the unit, done with setpriv: a non-root user holding only the ambient capabilities
 * the unit grants, no new privileges. Peng must open the capture and count SYNs.
 */
test('as the unit runs it: uid nobody with ambient CAP_NET_RAW and CAP_NET_ADMIN captures SYNs', { skip: liveSkip, timeout: 60_000 }, async () => {
  const settings = unitSettings();
  const args = execArgs(settings).filter((a, i, all) => a !== '-otlp' && all[i - 1] !== '-otlpEndpoint' && a !== '-otlpEndpoint');
  await withNamespaces(async (pair) => {
    const { target, scanner } = pair;
    const peng = pair.spawn(target, 'env', [
      ...Object.entries(unitEnv(settings)).map(([k, v]) => `${k}=${v}`),
      'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups',
      '--inh-caps=-all,+net_raw,+net_admin', '--ambient-caps=-all,+net_raw,+net_admin', '--bounding-set=-all,+net_raw,+net_admin', '--no-new-privs',
      process.execPath, pengBin, ...args, '-timeFrame', '1s', '-network', target.ifName, '-json', '-verbose', '0',
    ]);
    try {
      await peng.waitFor(/watching/, 15_000);
      const status = readFileSync(`/proc/${peng.child.pid}/status`, 'utf8');
      assert.match(status, /^Uid:\s+65534\s+65534/m);
      const effective = BigInt('0x' + /^CapEff:\s+([0-9a-f]+)/m.exec(status)![1]!);
      assert.equal(effective, (1n << 13n) | (1n << 12n), 'exactly CAP_NET_RAW and CAP_NET_ADMIN');
      await run(scanner, 'hping3', ['-q', '-S', '-p', '22', '-c', '40', '-i', 'u1000', target.ipv4], { check: false, timeoutMs: 20_000 });
      const deadline = Date.now() + 10_000;
      let seen = 0;
      while (Date.now() < deadline && seen < 40) {
        await sleep(200);
        seen = peng.stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .reduce((sum, l) => sum + (JSON.parse(l) as { server: { synPackets: number } }).server.synPackets, 0);
      }
      assert.equal(seen, 40, peng.stderr);
    } finally {
      await peng.stop('SIGTERM', 10_000);
    }
  });
});
