import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { run, sleep, withNamespaces, type Namespace, type NamespacePair } from '../../support/netns.js';
import { buildRoot } from '../../support/paths.js';

/**
 * native/pcap.c on real devices in a test's namespace: hostile lengths, every failure libpcap reports.
 * scripts/test-native-asan.sh runs this file again with the addon built under ASan and UBSan
 * (PENG_PCAP_ADDON); any sanitizer report kills the child, which these tests see as a crash.
 */
const child = join(buildRoot, 'test', 'native', 'pcap-addon-child.js');
const skip = process.getuid?.() === 0 || process.env.CI ? false : 'needs root (network namespaces and packet capture)';

type Attempt = { ok: true } | { ok: false; code: string; name: string; message: string };
interface Seen {
  frames: { caplen: number; wire: number; ok: boolean }[];
  oversized: number;
  batches: number;
}

function childArgs(mode: string, ...args: string[]): string[] {
  return ['PENG_ADDON_CHILD=1', process.execPath, '--expose-gc', child, mode, ...args];
}

async function runChild(ns: Namespace, mode: string, args: string[], asUser?: string): Promise<unknown> {
  const cmd = asUser === undefined ? 'env' : 'setpriv';
  const prefix = asUser === undefined ? [] : [`--reuid=${asUser}`, '--regid=nogroup', '--clear-groups', '--inh-caps=-all', 'env'];
  const out = await run(ns, cmd, [...prefix, ...childArgs(mode, ...args)], { check: false, timeoutMs: 30_000 });
  assert.equal(out.signal, null, `the child died of ${out.signal}: ${out.stderr}`);
  assert.equal(out.code, 0, out.stderr);
  assert.doesNotMatch(out.stderr, /AddressSanitizer|runtime error/);
  return JSON.parse(/^RESULT (.*)$/m.exec(out.stdout)![1]!);
}

test('frames longer than the buffer are counted and never written; snaplen 1 and a 1-byte buffer deliver 1-byte frames; bad arguments throw', { skip, timeout: 60_000 }, async () => {
  await withNamespaces(async (pair: NamespacePair) => {
    const result = (await runChild(pair.target, 'hostile', [pair.target.ifName])) as Record<string, Seen> & { args: Record<string, Attempt> };
    assert.deepEqual(result.small!.frames, [60, 90, 61].map((n) => ({ caplen: n, wire: n, ok: true })), 'the frames that fit, intact, in order');
    assert.equal(result.small!.oversized, 2, 'the 200- and 1400-byte frames were counted as lost');
    assert.deepEqual(result.snaplen1!.frames.filter((f) => f.wire === 60 || f.wire === 1000), [{ caplen: 1, wire: 60, ok: true }, { caplen: 1, wire: 1000, ok: true }]);
    assert.ok(result.oneByte!.frames.every((f) => f.caplen === 1 && f.ok));
    assert.ok(result.oneByte!.frames.some((f) => f.wire === 70));
    assert.equal(result.oneByte!.oversized, 0);
    const args = result.args;
    for (const [name, expected] of Object.entries({
      zeroBuffer: 'RangeError',
      shortMeta: 'RangeError',
      wrongMeta: 'TypeError',
      snaplen0: 'RangeError',
      snaplenHuge: 'RangeError',
      bufferNegative: 'RangeError',
      nulInName: 'TypeError',
      notString: 'TypeError',
    })) {
      assert.deepEqual([args[name]!.ok, args[name]!.ok ? '' : (args[name] as { name: string }).name], [false, expected], name);
    }
    for (const [name, code] of Object.entries({ injectEmpty: 'EINJECT', injectHuge: 'EINJECT', startTwice: 'ESTARTED', afterClose: 'ECLOSED' })) {
      assert.equal((args[name] as { code?: string }).code, code, name);
    }
  });
});

test('open, start and close in a loop, closing from inside the batch and error callbacks, survive garbage collection', { skip, timeout: 60_000 }, async () => {
  await withNamespaces(async (pair) => {
    const result = (await runChild(pair.target, 'churn', [pair.target.ifName])) as { closedInside: number };
    assert.ok(result.closedInside > 0, 'some handles were closed from inside their batch callback');
  });
});

test('a bad filter, a missing device, a device that is down and no capture rights are errors with codes, not crashes', { skip, timeout: 60_000 }, async () => {
  await withNamespaces(async (pair) => {
    const dev = pair.target.ifName;
    assert.deepEqual(pick(await runChild(pair.target, 'open', [dev, 'tcp['])), { ok: false, code: 'EFILTER' });
    assert.deepEqual(pick(await runChild(pair.target, 'open', [dev, 'vlan and'])), { ok: false, code: 'EFILTER' });
    assert.deepEqual(pick(await runChild(pair.target, 'open', ['nosuch0'])), { ok: false, code: 'ENODEV' });
    await run(pair.target, 'ip', ['link', 'set', 'lo', 'down']);
    assert.deepEqual(pick(await runChild(pair.target, 'open', ['lo'])), { ok: false, code: 'ENETDOWN' });
    assert.deepEqual(pick(await runChild(pair.target, 'open', [dev], 'nobody')), { ok: false, code: 'EPERM' });
    assert.deepEqual(pick(await runChild(pair.target, 'open', [dev, 'tcp'])), { ok: true, code: undefined });
  });
});

test('a device taken down and up keeps capturing; deleted mid-capture it is reported to JavaScript and the process lives on', { skip, timeout: 60_000 }, async (t) => {
  await withNamespaces(async (pair) => {
    const dev = pair.target.ifName;
    const bg = pair.spawn(pair.target, 'env', childArgs('watch', dev));
    await bg.waitFor(/^READY$/m, 15_000);
    await run(pair.target, 'ip', ['link', 'set', dev, 'down']);
    await sleep(300);
    await run(pair.target, 'ip', ['link', 'set', dev, 'up']);
    await sleep(1000);
    await run(pair.scanner, 'ping', ['-c', '3', '-i', '0.2', '-W', '1', pair.target.ipv4], { check: false, timeoutMs: 10_000 });
    await sleep(300);
    await run(pair.target, 'ip', ['link', 'del', dev]);
    // libpcap can miss a deletion that races with the earlier down (the socket's error was already taken):
    // Peng's capture then notices by the interface index at the next window; here the process must live either way.
    const reported = await bg.waitFor(/^ERROR /m, 10_000).then(
      () => true,
      () => false,
    );
    if (!reported) t.diagnostic('libpcap reported no error for the deleted device (the index check covers it live)');
    await sleep(300);
    assert.ok(bg.running, 'still running after the device was deleted');
    const { code, signal } = await bg.stop('SIGTERM', 5_000);
    assert.equal(signal, null, bg.stderr);
    assert.equal(code, 0, bg.stderr);
    assert.doesNotMatch(bg.stderr, /AddressSanitizer|runtime error/);
    const errors = [...bg.stdout.matchAll(/^ERROR (.*)$/gm)].map((m) => JSON.parse(m[1]!) as { message: string; code: string });
    assert.equal(errors.length, reported ? 1 : 0, bg.stdout);
    if (reported) assert.match(errors[0]!.message, /disappeared/);
    const result = JSON.parse(/^RESULT (.*)$/m.exec(bg.stdout)![1]!) as { frames: number };
    assert.ok(result.frames >= 3, `frames after down and up: ${result.frames}`);
  });
});

function pick(value: unknown): { ok: boolean; code: string | undefined } {
  const v = value as { ok: boolean; code?: string };
  return { ok: v.ok, code: v.code };
}
