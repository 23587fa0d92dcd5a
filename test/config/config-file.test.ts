import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config-error.js';
import { MAX_CONFIG_FILE_BYTES } from '../../src/config/config-file.js';
import { defaultConfig, loadConfig } from '../../src/config/load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'peng-config-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function configError(argv: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    loadConfig(argv, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.doesNotMatch(err.message, /\n/);
    return err.message;
  }
  assert.fail(`expected ${argv.join(' ')} to fail`);
}

test('precedence: defaults < config file < environment < flags', () => {
  const path = file('precedence.yaml', 'bin: 8\nsize: 2048\ntimeFrame: 8s\nverbose: 2\n');
  const config = loadConfig(['--config', path, '-verbose', '0'], { PENG_SIZE: '4096', PENG_VERBOSE: '3' });
  assert.equal(config.bin, 8, 'file over default');
  assert.equal(config.timeFrame, 8000, 'file over default');
  assert.equal(config.size, 4096, 'environment over file');
  assert.equal(config.verbose, 0, 'flag over environment');
  assert.equal(config.influxPort, 9999, 'default where nothing is given');
  assert.equal(config.config, path);
});

test('PENG_CONFIG names the file, and --config overrides it', () => {
  const fromEnv = file('env.yml', 'bin: 4\n');
  const fromFlag = file('flag.json', '{"bin": 2}');
  assert.equal(loadConfig([], { PENG_CONFIG: fromEnv }).bin, 4);
  assert.equal(loadConfig(['-config', fromFlag], { PENG_CONFIG: fromEnv }).bin, 2);
});

test('JSON and YAML files give the same settings; an unknown extension is read as YAML', () => {
  const json = file('peng.json', JSON.stringify({ timeFrame: '1h30m', network: ['eth0', 'eth1'], localAddresses: ['10.0.0.0/8'], json: true }));
  const yaml = file('peng.yaml', 'timeFrame: 1h30m\nnetwork: [eth0, eth1]\nlocalAddresses:\n  - 10.0.0.0/8\njson: true\n');
  const other = file('peng.conf', '{"timeFrame": "1h30m", "network": "eth0,eth1", "localAddresses": "10.0.0.0/8", "json": "true"}');
  const expected = { ...defaultConfig(), timeFrame: 5_400_000, network: ['eth0', 'eth1'], localAddresses: ['10.0.0.0/8'], json: true };
  for (const path of [json, yaml, other]) assert.deepEqual(loadConfig(['--config', path], {}), { ...expected, config: path }, path);
});

test('an empty or comment-only file changes nothing', () => {
  assert.deepEqual(loadConfig(['--config', file('empty.yaml', '')], {}).bin, 16);
  assert.deepEqual(loadConfig(['--config', file('comments.yaml', '# nothing here\n')], {}).size, 1024);
});

test('a missing file or a directory is an error naming it', () => {
  const missing = join(dir, 'nope.yaml');
  assert.equal(configError(['--config', missing]), `config file ${missing} cannot be read (no such file); check the path given to --config or PENG_CONFIG`);
  const folder = join(dir, 'folder.yaml');
  mkdirSync(folder);
  assert.match(configError(['--config', folder]), /is not a regular file; give --config a JSON or YAML file$/);
});

test('malformed JSON is reported with its line and column, without quoting the file', () => {
  const path = file('broken.json', '{\n  "bin": 16,\n  "token": "s3cret",\n}\n');
  const message = configError(['--config', path]);
  assert.equal(message, `config file ${path}: JSON syntax error at line 4, column 1: unexpected character "}", expected a property name in double quotes; fix the file`);
  assert.doesNotMatch(message, /s3cret/);
  assert.match(configError(['--config', file('cut.json', '{"bin": 16')]), /JSON syntax error at line 1, column 11: unexpected end of file, expected ',' or '}'/);
  assert.match(configError(['--config', file('yamlish.json', 'bin: 16\n')]), /JSON syntax error at line 1, column 1: unexpected character "b", expected a value/);
});

test('malformed YAML is reported with its line and column', () => {
  assert.match(configError(['--config', file('broken.yaml', 'bin: 16\nsize: [1024\n')]), /^config file .*broken\.yaml: YAML syntax error at line 3, column 1: .*; fix the file$/);
  assert.match(configError(['--config', file('dup.yaml', 'bin: 16\nbin: 32\n')]), /YAML syntax error at line 2, column 1: Map keys must be unique/);
  assert.match(configError(['--config', file('tag.yml', 'bin: !weird 16\n')]), /YAML syntax error at line 1, column 6: Unresolved tag: !weird/);
  assert.match(configError(['--config', file('indent.yaml', 'a:\n  b: 1\n c: 2\n')]), /YAML syntax error at line 3, column 1/);
});

test('a file that is not a mapping of options is refused', () => {
  assert.match(configError(['--config', file('list.yaml', '- bin\n- 16\n')]), /holds a list, not a mapping of option names to values; see config\/peng\.yaml/);
  assert.match(configError(['--config', file('scalar.yaml', 'hello\n')]), /holds a string, not a mapping/);
});

test('unknown keys in a file are errors naming the line, never the key; command-line actions name the option', () => {
  assert.match(configError(['--config', file('typo.yaml', 'timeframe: 1m\n')]), /^config file .*: unknown key at line 1 \(not a Peng option\); did you mean timeFrame\? Run peng --help/);
  assert.match(configError(['--config', file('junk.yaml', 'bin: 16\n\nflux_capacitor: 1\n')]), /unknown key at line 3 \(not a Peng option\); run peng --help for the list of options$/);
  const proto = configError(['--config', file('proto.json', '{\n  "__proto__": {"bin": 0}}')]);
  assert.match(proto, /unknown key at line 2 \(not a Peng option\)/);
  assert.doesNotMatch(proto, /__proto__/);
  assert.match(configError(['--config', file('nested.yaml', 'influx:\n  url: http://x\n')]), /unknown key at line 1 \(not a Peng option\)/);
  assert.match(configError(['--config', file('help.yaml', 'help: true\n')]), /help cannot be set in a config file; remove it and give -help on the command line$/);
  assert.match(configError(['--config', file('self.yaml', 'config: other.yaml\n')]), /config cannot be set in a config file/);
});

test('a bad value in a file names the key and the file', () => {
  const path = file('values.yaml', 'bin: 0\n');
  assert.equal(configError(['--config', path]), `bin 0 (config file ${path}): must be at least 1; use a whole number from 1 to 65536`);
  assert.match(configError(['--config', file('type.yaml', 'network: {a: 1}\n')]), /^network \{"a":1\} \(config file .*\): expected a list, got a mapping; /);
  assert.match(configError(['--config', file('num.yaml', 'bucket: 42\n')]), /^bucket 42 \(config file .*\): expected text, got a number; /);
  assert.match(configError(['--config', file('shape.yaml', 'bin: 16\nsize: 1000\n')]), /^size 1000 \(config file .*\) is not a multiple of bin 16 \(config file .*\); /);
  assert.match(configError(['--config', file('short.yaml', 'timeFrame: 50ms\n')]), /^timeFrame 50ms \(config file .*\): 50ms is too short/);
});

test('an oversized config file is refused before it is read', () => {
  const path = file('huge.yaml', `# ${'x'.repeat(MAX_CONFIG_FILE_BYTES)}\n`);
  assert.match(configError(['--config', path]), /bytes, more than the 1048576 allowed; /);
});

test('a bare number as timeFrame is refused, not read as milliseconds', () => {
  for (const [name, text] of [['bare.yaml', 'timeFrame: 300\n'], ['bare.json', '{"timeFrame": 300}']] as const) {
    assert.match(configError(['--config', file(name, text)]), /^config file .*: timeFrame 300 has no unit; write a Go-style duration such as "300s" or "1m"$/, name);
  }
  assert.equal(loadConfig(['--config', file('unit.yaml', 'timeFrame: 5m\n')], {}).timeFrame, 300_000);
});
