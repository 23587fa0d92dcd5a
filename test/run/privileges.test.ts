import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TcpFlags, linkTypeOf, tcpFrame } from '../../support/frames.js';
import { run, withNamespaces } from '../../support/netns.js';
import { buildRoot, pengBin } from '../../support/paths.js';
import { pcapFile } from '../../support/capture-writers.js';
import { pengTestEnv } from '../support/run-peng.js';
import { fromEtc, lookupAccount, nssReadsFilesFirst, parseEntry } from '../../src/run/privileges.js';
import { liveSkip, startCapture, stopCapture, waitForFrames } from '../sources/live/live-support.js';

const privilegesModule = join(buildRoot, 'src', 'run', 'privileges.js');

/** Runs dropPrivileges(options) in a fresh node process (optionally started through `setpriv` args). */
async function dropInChild(options: object, prefix: string[] = []): Promise<{ code: number | null; out: string }> {
  const script = `import(${JSON.stringify(privilegesModule)}).then((m) => {
    try { console.log(JSON.stringify(m.dropPrivileges(${JSON.stringify(options)}))); }
    catch (e) { console.log(JSON.stringify({ error: e.name, message: e.message })); process.exitCode = 2; }
  })`;
  const [cmd, ...args] = [...prefix, process.execPath, '-e', script];
  const result = await run(null, cmd!, args, { check: false, timeoutMs: 15_000 });
  return { code: result.code, out: result.stdout.trim() };
}

test('passwd and group lines are parsed into ids', () => {
  assert.deepEqual(parseEntry('nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin'), { name: 'nobody', id: 65534, gid: 65534 });
  assert.deepEqual(parseEntry('nogroup:x:65534:'), { name: 'nogroup', id: 65534, gid: 65534 });
  assert.equal(parseEntry('broken'), null);
  assert.equal(parseEntry(':x:1:1::/:/bin/sh'), null);
  assert.equal(lookupAccount('passwd', 'bad:name'), null);
  assert.equal(lookupAccount('passwd', 'root')?.id, 0);
});

test('ids are decimal as glibc reads them: an empty uid is not root, and 0x10 or 1e3 are not numbers', () => {
  assert.equal(parseEntry('nobody:x::65534:nobody:/nonexistent:/usr/sbin/nologin'), null);
  assert.equal(parseEntry('odd:x:0x10:16:odd:/:/bin/sh'), null);
  assert.equal(parseEntry('odd:x:1000:1e3:odd:/:/bin/sh'), null);
});

test('/etc lookups skip comments and malformed lines and take the first well-formed entry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'peng-etc-'));
  try {
    const file = join(dir, 'passwd');
    writeFileSync(file, ['#old:x:1000:1000::/:/bin/sh', 'svc:x::100:svc:/:/bin/false', '  svc:x:999:998:svc:/:/bin/false', 'svc:x:5:5::/:/bin/sh', ''].join('\n'));
    assert.deepEqual(fromEtc('passwd', 'svc', file), { name: 'svc', id: 999, gid: 998 }, 'the malformed first svc line is skipped');
    assert.equal(fromEtc('passwd', '1000', file), null, 'a commented-out line is not an entry');
    assert.deepEqual(fromEtc('passwd', '0999', file), { name: 'svc', id: 999, gid: 998 });
    assert.equal(fromEtc('passwd', 'svc', join(dir, 'missing')), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('/etc is read without getent only when nsswitch.conf names files first for that database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'peng-nss-'));
  try {
    const conf = join(dir, 'nsswitch.conf');
    writeFileSync(conf, '# passwd: ldap\npasswd:   files systemd\ngroup: ldap files # site groups\nshadow: files\n');
    assert.equal(nssReadsFilesFirst('passwd', conf), true);
    assert.equal(nssReadsFilesFirst('group', conf), false, 'ldap comes first');
    assert.equal(nssReadsFilesFirst('hosts', conf), false, 'no line: unknown');
    const compat = join(dir, 'compat.conf'); // a second file: each file is read once
    writeFileSync(compat, 'passwd: compat\n');
    assert.equal(nssReadsFilesFirst('passwd', compat), false, 'compat reads +/- entries from other sources');
    assert.equal(nssReadsFilesFirst('passwd', join(dir, 'missing')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('after dropping to nobody the process cannot regain root and the capture still delivers SYNs', { skip: liveSkip, timeout: 60_000 }, async () => {
  const nobody = lookupAccount('passwd', 'nobody');
  assert.ok(nobody, 'the test host has a nobody account');
  await withNamespaces(async (pair) => {
    const { bg, ready } = await startCapture(pair, pair.target, { interfaceName: pair.target.ifName, drop: {} });
    assert.equal(ready.uid, nobody.id);
    assert.deepEqual(ready.dropped, { dropped: true, user: 'nobody', uid: nobody.id, group: 'nogroup', gid: nobody.gid });
    await run(pair.scanner, 'hping3', ['-q', '-S', '-c', '10', '-i', 'u2000', '-p', '++1000', pair.target.ipv4], { check: false, timeoutMs: 15_000 });
    await waitForFrames(bg, 10);
    const result = await stopCapture(bg);
    assert.equal(result.uid, nobody.id, 'still nobody at the end');
    assert.equal(result.syn, 10);
  });
});

test('a user or group that does not exist is a clear error, and nothing was changed', { skip: liveSkip, timeout: 30_000 }, async () => {
  const user = await dropInChild({ user: 'peng-no-such-user' });
  assert.equal(user.code, 2);
  assert.deepEqual(JSON.parse(user.out), {
    error: 'PrivilegeDropError',
    message: 'cannot drop privileges: user "peng-no-such-user" does not exist (set --user to an existing account)',
  });
  const group = await dropInChild({ user: 'nobody', group: 'peng-no-such-group' });
  assert.equal(group.code, 2);
  assert.match(JSON.parse(group.out).message as string, /group "peng-no-such-group" does not exist/);
});

test('when not root there is nothing to drop', { skip: liveSkip, timeout: 30_000 }, async () => {
  const result = await dropInChild({}, ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups']);
  assert.equal(result.code, 0);
  const parsed = JSON.parse(result.out) as { dropped: boolean; reason: string };
  assert.equal(parsed.dropped, false);
  assert.match(parsed.reason, /^not running as root/);
});

const rootSkip: string | false = process.getuid?.() === 0 ? false : 'needs root';

/** The fields of /proc/<pid>/status that say what a process may still do. */
function privilegeStatus(text: string): { uid: string; noNewPrivs: string; capBnd: string; capEff: string } {
  const field = (name: string): string => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? `(no ${name})`;
  return { uid: field('Uid'), noNewPrivs: field('NoNewPrivs'), capBnd: field('CapBnd'), capEff: field('CapEff') };
}

test('after the drop no_new_privs is set and the capability bounding set is empty, as under the systemd unit', { skip: rootSkip, timeout: 30_000 }, async () => {
  const script = `import(${JSON.stringify(privilegesModule)}).then((m) => {
    const warnings = [];
    const result = m.dropPrivileges({ user: 'nobody', onWarning: (w) => warnings.push(w) });
    console.log(JSON.stringify({ result, warnings, status: require('fs').readFileSync('/proc/self/status', 'utf8') }));
  })`;
  const child = await run(null, process.execPath, ['-e', script], { check: false, timeoutMs: 15_000 });
  assert.equal(child.code, 0, child.stderr);
  const out = JSON.parse(child.stdout) as { result: { dropped: boolean; uid: number }; warnings: string[]; status: string };
  assert.equal(out.result.dropped, true);
  assert.deepEqual(out.warnings, [], 'the prctl addon was built and both calls succeeded');
  const nobody = lookupAccount('passwd', 'nobody')!.id;
  assert.deepEqual(privilegeStatus(out.status), { uid: `${nobody}\t${nobody}\t${nobody}\t${nobody}`, noNewPrivs: '1', capBnd: '0000000000000000', capEff: '0000000000000000' });
});

test('helper programs come from the system directories, never from PATH', { skip: rootSkip, timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peng-path-'));
  try {
    const marker = join(dir, 'ran');
    // A planted getent that would make "nobody" uid 0 (and record that it ran).
    writeFileSync(join(dir, 'getent'), `#!/bin/sh\ntouch ${marker}\necho 'nobody:x:0:0::/:/bin/sh'\n`, { mode: 0o755 });
    writeFileSync(join(dir, 'ip'), `#!/bin/sh\ntouch ${marker}\necho '[]'\n`, { mode: 0o755 });
    const hostModule = join(buildRoot, 'src', 'sources', 'host', 'interfaces.js');
    const script = `Promise.all([import(${JSON.stringify(privilegesModule)}), import(${JSON.stringify(hostModule)})]).then(([p, h]) => {
      console.log(JSON.stringify({ nobody: p.lookupAccount('passwd', 'nobody'), addresses: h.configuredAddresses()?.has('lo') ?? null }));
    })`;
    const child = await run(null, '/usr/bin/env', [`PATH=${dir}:${process.env.PATH ?? ''}`, process.execPath, '-e', script], { check: false, timeoutMs: 15_000 });
    assert.equal(child.code, 0, child.stderr);
    const out = JSON.parse(child.stdout) as { nobody: { id: number }; addresses: boolean | null };
    assert.notEqual(out.nobody.id, 0, 'the planted getent was not used');
    assert.equal(out.addresses, true, 'the real ip listed lo');
    assert.equal(existsSync(marker), false, 'nothing from PATH ran');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('peng replay as root parses the capture as nobody, with no_new_privs and an empty bounding set', { skip: rootSkip, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peng-replay-drop-'));
  const fifo = join(dir, 'capture.pcap');
  execFileSync('mkfifo', ['-m', '600', fifo]);
  const child = spawn(process.execPath, [pengBin, 'replay', fifo, '-json', '-verbose', '0', '-debug'], { env: pengTestEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const safety = setTimeout(() => child.kill('SIGKILL'), 45_000);
  try {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const dropped = new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/running as nobody/.test(stderr)) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const writer = await open(fifo, 'w'); // the replay holds the read end: the drop follows at once
    const frames = [1, 2, 3].map((i) => tcpFrame({ link: 'ethernet', ipv4: { src: '198.51.100.1', dst: '192.0.2.1' }, tcp: { dstPort: 20 + i, flags: TcpFlags.SYN } }));
    const bytes = pcapFile(linkTypeOf.ethernet, frames);
    await writer.write(bytes.subarray(0, 24)); // the header only: the replay waits mid-file
    let waited: NodeJS.Timeout | undefined;
    const noDrop = new Promise<never>((_, reject) => (waited = setTimeout(() => reject(new Error(`peng never said it dropped privileges: ${stderr}`)), 20_000)));
    await Promise.race([dropped, noDrop]).finally(() => clearTimeout(waited));
    const status = privilegeStatus(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    await writer.write(bytes.subarray(24));
    await writer.close();
    assert.equal(await exited, 0, stderr);
    const nobody = lookupAccount('passwd', 'nobody')!.id;
    assert.deepEqual(status, { uid: `${nobody}\t${nobody}\t${nobody}\t${nobody}`, noNewPrivs: '1', capBnd: '0000000000000000', capEff: '0000000000000000' });
    const windows = stdout.trim().split('\n').map((line) => JSON.parse(line) as { server: { synPackets: number } });
    assert.equal(windows.reduce((n, w) => n + w.server.synPackets, 0), 3, 'every SYN was still counted');
  } finally {
    clearTimeout(safety);
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
