import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  NETNS_PREFIX,
  createNamespacePair,
  harnessNamespaces,
  ownNamespaces,
  run,
  sweepStaleNamespaces,
  withNamespaces,
  type Namespace,
  type NamespacePair,
} from '../../support/netns.js';

/** A TCP round trip from `from` to `to` over the given address, with a listener started in `to`. */
async function roundTrip(pair: NamespacePair, from: Namespace, to: Namespace, address: string): Promise<string> {
  const server = pair.spawn(to, process.execPath, [
    '-e',
    `require('node:net').createServer((s) => s.end('hello from ' + s.localAddress)).listen(7000, '::', () => console.log('listening'))`,
  ]);
  await server.waitFor(/listening/, 10_000);
  const client = await run(
    from,
    process.execPath,
    ['-e', `require('node:net').connect(7000, '${address}', function () { this.pipe(process.stdout); })`],
    { timeoutMs: 10_000 },
  );
  return client.stdout;
}

test('a namespace pair carries IPv4 and IPv6 at once and is removed by destroy()', async (t) => {
  const pair = await createNamespacePair();
  t.after(() => pair.destroy());
  assert.deepEqual((await ownNamespaces()).sort(), [pair.scanner.name, pair.target.name].sort());
  assert.match(pair.scanner.name, new RegExp(`^${NETNS_PREFIX}-${process.pid}-\\d+-a$`));

  // No DAD wait: the IPv6 connection works right after creation.
  assert.equal(await roundTrip(pair, pair.scanner, pair.target, pair.target.ipv6), `hello from ${pair.target.ipv6}`);
  assert.equal(await roundTrip(pair, pair.target, pair.scanner, pair.scanner.ipv4), `hello from ::ffff:${pair.scanner.ipv4}`);
  const lo = await run(pair.target, 'ip', ['-o', 'link', 'show', 'lo']);
  assert.match(lo.stdout, /UP/);

  // The host never sees the veth or the addresses.
  const host = await run(null, 'ip', ['-o', 'addr', 'show']);
  assert.ok(!host.stdout.includes(pair.target.ipv4), 'the test address leaked to the host');

  const sleeper = pair.spawn(pair.target, 'sleep', ['600']);
  await pair.destroy();
  assert.equal(sleeper.running, false, 'destroy() must end what still runs inside');
  assert.deepEqual(await ownNamespaces(), []);
  await pair.destroy(); // twice is harmless
});

test('withNamespaces removes the pair when the callback throws', async () => {
  let seen: string[] = [];
  await assert.rejects(
    withNamespaces(async (pair) => {
      seen = [pair.scanner.name, pair.target.name];
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.equal(seen.length, 2);
  const left = await harnessNamespaces();
  assert.ok(!seen.some((name) => left.includes(name)), `left behind: ${left.join(', ')}`);
});

test('the startup sweep removes namespaces of dead runs and keeps those of live ones', async (t) => {
  // A pid that surely ended: a child we started and waited for.
  const dead = await run(null, process.execPath, ['-e', 'console.log(process.pid)']);
  const deadPid = Number(dead.stdout.trim());
  const stale = `${NETNS_PREFIX}-${deadPid}-1-a`;
  const live = `${NETNS_PREFIX}-${process.ppid}-1-b`;
  for (const name of [stale, live]) await run(null, 'ip', ['netns', 'add', name]);
  t.after(async () => {
    for (const name of [stale, live]) await run(null, 'ip', ['netns', 'del', name], { check: false });
  });
  await sweepStaleNamespaces();
  const left = await harnessNamespaces();
  assert.ok(!left.includes(stale), `not swept: ${stale}`);
  assert.ok(left.includes(live), 'a namespace whose creator still runs must be kept');
});

test('run() kills a command that outlives its timeout and says so', async () => {
  await assert.rejects(run(null, 'sleep', ['30'], { timeoutMs: 200 }), /timed out after 200 ms/);
  const result = await run(null, 'sleep', ['30'], { timeoutMs: 200, check: false });
  assert.equal(result.timedOut, true);
  await assert.rejects(run(null, 'false', []), /exited with 1/);
});
