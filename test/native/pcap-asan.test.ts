import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { run } from '../../support/netns.js';
import { repoRoot } from '../../support/paths.js';

const skip = process.getuid?.() === 0 || process.env.CI ? false : 'needs root (network namespaces and packet capture)';

test('the capture addon built with ASan and UBSan passes its tests without a sanitizer report', { skip, timeout: 240_000 }, async () => {
  const out = await run(null, join(repoRoot, 'scripts', 'test-native-asan.sh'), [], { check: false, timeoutMs: 230_000 });
  const output = out.stdout + out.stderr;
  assert.doesNotMatch(output, /ERROR: AddressSanitizer|runtime error:/, output);
  assert.equal(out.code, 0, output.slice(-4000));
  assert.match(out.stdout, /# pass [1-9]/);
  assert.match(out.stdout, /# fail 0/);
  assert.match(out.stdout, /# skipped 0/);
});
