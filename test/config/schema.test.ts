import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formats } from '../../src/config/formats.js';
import { envNameFor, optionNames, schema } from '../../src/config/schema.js';
import { defaultConfig } from '../../src/config/load-config.js';

test('every option but the actions has a PENG_<UPPER_SNAKE> variable of its own', () => {
  const seen = new Set<string>();
  // Actions are command-line only: PENG_VERSION is a name deploy tools set for their own use.
  const actions = new Set(['help', 'version', 'interfaces']);
  for (const name of optionNames) {
    const variable = schema[name].env;
    if (actions.has(name)) {
      assert.equal(variable, undefined, name);
      continue;
    }
    assert.equal(variable, envNameFor(name), name);
    assert.ok(variable !== undefined && !seen.has(variable), `${variable} used twice`);
    seen.add(variable);
  }
  assert.equal(envNameFor('timeFrame'), 'PENG_TIME_FRAME');
  assert.equal(envNameFor('otlpEndpoint'), 'PENG_OTLP_ENDPOINT');
});

test('every option is documented and its default passes its own format', () => {
  const defaults = defaultConfig();
  for (const name of optionNames) {
    const spec = schema[name];
    assert.ok(spec.doc.length > 10 && /[.)]$/.test(spec.doc), `${name} needs a sentence of documentation`);
    assert.ok(spec.format in formats, `${name}: unknown format ${spec.format}`);
    assert.doesNotThrow(() => formats[spec.format].validate(defaults[name], spec), name);
  }
});

test('the schema covers the seed flags with the seed defaults', () => {
  const seed: Record<string, unknown> = { timeFrame: '1m', bin: 16, size: 1024, influxUrl: 'http://localhost', influxPort: 9999, export: '', network: [], bucket: '', org: '', token: '' };
  for (const [name, value] of Object.entries(seed)) {
    assert.ok(name in schema, `seed flag -${name} missing`);
    assert.deepEqual(schema[name as keyof typeof schema].default, value, name);
  }
  for (const name of ['verbose', 'interfaces', 'version', 'help']) assert.ok(name in schema, `seed flag -${name} missing`);
  assert.equal(schema.token.sensitive, true);
});
