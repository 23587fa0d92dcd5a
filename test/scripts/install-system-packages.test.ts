// scripts/install-system-packages.sh in a private mount namespace: /usr/sbin is a fresh tmpfs there, and
// apt-get/dpkg-query are stubs on PATH, so the host's packages and its policy-rc.d are never touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../support/paths.js';

const script = join(repoRoot, 'scripts', 'install-system-packages.sh');
const rootSkip = process.getuid?.() !== 0 ? 'needs root for a mount namespace' : false;

interface Outcome {
  code: number | null;
  /** What apt-get saw at /usr/sbin/policy-rc.d while it ran ("none" when absent). */
  seenByApt: string;
  /** /usr/sbin/policy-rc.d after the script ("none" when absent). */
  after: string;
  stderr: string;
}

/** Runs the script with `existing` (or nothing) at /usr/sbin/policy-rc.d and an apt-get that exits `aptCode`. */
function install(existing: string | null, aptCode: number): Outcome {
  const dir = mkdtempSync(join(tmpdir(), 'peng-install-'));
  try {
    // Every package reads as missing, so the script goes on to apt-get.
    writeFileSync(join(dir, 'dpkg-query'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    writeFileSync(
      join(dir, 'apt-get'),
      `#!/bin/sh\n[ "$1" = update ] && exit 0\ncat /usr/sbin/policy-rc.d > ${dir}/seen 2>/dev/null || echo none > ${dir}/seen\nexit ${aptCode}\n`,
      { mode: 0o755 },
    );
    const setup = existing === null ? '' : `printf '%s' '${existing}' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d;`;
    const inner = `mount -t tmpfs peng-test /usr/sbin && ${setup} sh ${script}; code=$?; cat /usr/sbin/policy-rc.d > ${dir}/after 2>/dev/null || echo none > ${dir}/after; exit $code`;
    const result = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', inner], {
      env: { PATH: `${dir}:/usr/bin:/bin` },
      encoding: 'utf8',
      timeout: 30_000,
    });
    const read = (name: string) => readFileSync(join(dir, name), 'utf8').trim();
    return { code: result.status, seenByApt: read('seen'), after: read('after'), stderr: result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("an existing policy-rc.d (Debian's container images ship one) is kept as it was", { skip: rootSkip }, () => {
  const debian = '#!/bin/sh\n# debian image policy\nexit 101';
  const outcome = install(debian, 0);
  assert.equal(outcome.code, 0, outcome.stderr);
  assert.equal(outcome.seenByApt, debian);
  assert.equal(outcome.after, debian);
});

test('without one, apt-get runs under a deny-all policy-rc.d that is removed afterwards', { skip: rootSkip }, () => {
  const outcome = install(null, 0);
  assert.equal(outcome.code, 0, outcome.stderr);
  assert.match(outcome.seenByApt, /exit 101$/);
  assert.equal(outcome.after, 'none');
});

test('a failed apt-get still removes the policy-rc.d the script wrote, and the script fails', { skip: rootSkip }, () => {
  const outcome = install(null, 100);
  assert.notEqual(outcome.code, 0);
  assert.match(outcome.seenByApt, /exit 101$/);
  assert.equal(outcome.after, 'none');
});
