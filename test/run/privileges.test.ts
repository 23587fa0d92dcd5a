import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { run, withNamespaces } from '../../support/netns.js';
import { buildRoot } from '../../support/paths.js';
import { lookupAccount, parseEntry } from '../../src/run/privileges.js';
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
