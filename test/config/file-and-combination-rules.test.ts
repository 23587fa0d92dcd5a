import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load-config.js';

test('a bare number as timeFrame in a config file is refused, not read as milliseconds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'peng-cfg-'));
  try {
    for (const [name, text] of [['c.yaml', 'timeFrame: 300\n'], ['c.json', '{"timeFrame": 300}']] as const) {
      const file = join(dir, name);
      writeFileSync(file, text);
      assert.throws(() => loadConfig(['-config', file], {}), (err: unknown) => err instanceof ConfigError && /timeFrame 300 has no unit; write .*"300s"/.test(err.message));
    }
    const ok = join(dir, 'ok.yaml');
    writeFileSync(ok, 'timeFrame: 5m\n');
    assert.equal(loadConfig(['-config', ok], {}).timeFrame, 300_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('-group without a user to switch to is refused instead of silently ignored', () => {
  for (const argv of [['-user=', '-group', 'nogroup'], ['-user', 'root', '-group', 'nogroup']]) {
    assert.throws(() => loadConfig(argv, {}), (err: unknown) => err instanceof ConfigError && /-group nogroup needs a -user/.test(err.message), argv.join(' '));
  }
  assert.equal(loadConfig(['-user', 'nobody', '-group', 'nogroup'], {}).group, 'nogroup');
});
