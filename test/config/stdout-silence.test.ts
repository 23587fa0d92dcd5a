import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildRoot } from '../../support/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'peng-config-stdout-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// stdout may carry line protocol or JSON: loading a configuration must never write there, whatever the input.
test('loading any configuration, good or bad, writes nothing to stdout', () => {
  const unknownKey = join(dir, 'unknown.yaml');
  writeFileSync(unknownKey, 'bin: 16\nnot_an_option: 1\n');
  const badValue = join(dir, 'bad.json');
  writeFileSync(badValue, '{"bin": "many"}');
  const broken = join(dir, 'broken.yaml');
  writeFileSync(broken, 'bin: [\n');
  const tagged = join(dir, 'tagged.yaml');
  writeFileSync(tagged, 'bin: !unknown 16\n');
  const cases = [
    [],
    ['-json'],
    ['--config', unknownKey],
    ['--config', badValue],
    ['--config', broken],
    ['--config', tagged],
    ['-bin', '0'],
    ['-foo'],
    ['replay'],
    ['-bucket', 'b'],
    ['--help'],
  ];
  const loader = pathToFileURL(join(buildRoot, 'src', 'config', 'load-config.js')).href;
  const script = `
    const { loadConfig } = await import(${JSON.stringify(loader)});
    const outcomes = [];
    for (const argv of ${JSON.stringify(cases)}) {
      try { loadConfig(argv, { PENG_VERBOSE: '2', PENG_UNKNOWN: 'x' }); outcomes.push('ok'); }
      catch (err) { outcomes.push(err.name); }
    }
    process.stderr.write(JSON.stringify(outcomes));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout, '');
  const outcomes = JSON.parse(child.stderr) as string[];
  assert.deepEqual(outcomes, ['ok', 'ok', 'ConfigError', 'ConfigError', 'ConfigError', 'ConfigError', 'ConfigError', 'ConfigError', 'ConfigError', 'ConfigError', 'ok']);
});
