import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultText, flagForms, helpText } from '../../src/config/help.js';
import { optionNames, schema } from '../../src/config/schema.js';

test('--help lists every option with its flag forms, env variable, default and documentation', () => {
  const help = helpText();
  const flat = help.replace(/\s+/g, ' ');
  for (const name of optionNames) {
    for (const form of flagForms(name)) assert.match(help, new RegExp(`(^|[ ,])${form}([ ,\\n])`), form);
    const source = schema[name].env === undefined ? 'command line only' : `env ${schema[name].env}`;
    assert.ok(flat.includes(`(${source}, default ${defaultText(name)})`), `${name}: env and default`);
    assert.ok(flat.includes(schema[name].doc), `${name}: doc`);
  }
  assert.match(help, /^ {2}peng replay FILE \[flags\]/m);
  assert.match(help, /Precedence: defaults < config file < environment < flags\./);
  assert.ok(help.split('\n').every((line) => line.length <= 100), 'lines fit a terminal');
});
