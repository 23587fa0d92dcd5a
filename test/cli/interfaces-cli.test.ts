import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, withNamespaces } from '../../support/netns.js';
import { pengBin } from '../../support/paths.js';
import { liveSkip } from '../sources/live/live-support.js';

test('-interfaces lists every device with its state and addresses, down ones included', { skip: liveSkip, timeout: 60_000 }, async () => {
  await withNamespaces(async (pair) => {
    const { target } = pair;
    await run(target.name, 'ip', ['link', 'set', target.ifName, 'down']);
    const result = await run(target.name, process.execPath, [pengBin, '-interfaces']);
    const lines = result.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
    const lo = lines.find((l) => l[0] === 'lo');
    assert.deepEqual(lo?.slice(1), ['up', '127.0.0.1/8 ::1/128']);
    const veth = lines.find((l) => l[0] === target.ifName);
    assert.ok(veth, result.stdout);
    assert.equal(veth[1], 'down');
    assert.ok(veth[2]!.split(' ').includes(`${target.ipv4}/24`), `the address of a down interface is listed: ${veth[2]}`);
    assert.equal(result.stderr, '');
  });
});
