import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { formats } from '../../src/config/formats.js';
import { defaultConfig, loadConfig } from '../../src/config/load-config.js';
import { optionNames, schema, type OptionName } from '../../src/config/schema.js';
import { repoRoot } from '../../support/paths.js';

interface ManifestOption {
  name: string;
  flag: string;
  env: string;
  type: string;
  default: unknown;
  doc: string;
}

test("plugin.yaml's options agree with the schema: name, flag, env, type, default and doc", () => {
  const manifest = parse(readFileSync(join(repoRoot, 'plugin.yaml'), 'utf8')) as Record<string, unknown>;
  const allowed = ['name', 'description', 'version', 'options', 'metrics'];
  const keys = Object.keys(manifest);
  assert.deepEqual(keys, allowed.filter((key) => keys.includes(key)), 'top-level keys are name, description, version, options, metrics, in that order');
  assert.equal(manifest['name'], 'peng');
  assert.equal(typeof manifest['description'], 'string');
  assert.ok(manifest['version'] !== undefined, 'version');
  const options = manifest['options'] as ManifestOption[];
  assert.deepEqual(options.map((o) => o.name), [...optionNames], 'one entry per option, in schema order');
  for (const option of options) {
    const spec = schema[option.name as OptionName];
    assert.deepEqual(option, {
      name: option.name,
      flag: `-${option.name}`,
      env: spec.env,
      type: formats[spec.format].type,
      default: spec.default,
      doc: spec.doc,
    });
  }
});

test('config/peng.yaml sets every file option to its default, and loads to the defaults', () => {
  const path = join(repoRoot, 'config', 'peng.yaml');
  const fileKeys = Object.keys(parse(readFileSync(path, 'utf8')) as object);
  const fileOptions = optionNames.filter((name) => schema[name].inFile !== false);
  assert.deepEqual(fileKeys, fileOptions, 'every option a file can set, in schema order');
  assert.deepEqual(loadConfig(['--config', path], {}), { ...defaultConfig(), config: path });
});
