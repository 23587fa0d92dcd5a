import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultText, flagForms, helpText, optionsMarkdownTable } from '../../src/config/help.js';
import { optionNames, schema } from '../../src/config/schema.js';
import { repoRoot } from '../../support/paths.js';

test('--help lists every option with its flag forms, env variable, default and documentation', () => {
  const help = helpText();
  const flat = help.replace(/\s+/g, ' ');
  for (const name of optionNames) {
    for (const form of flagForms(name)) assert.match(help, new RegExp(`(^|[ ,])${form}([ ,\\n])`), form);
    assert.ok(flat.includes(`(env ${schema[name].env}, default ${defaultText(name)})`), `${name}: env and default`);
    assert.ok(flat.includes(schema[name].doc), `${name}: doc`);
  }
  assert.match(help, /^ {2}peng replay FILE \[flags\]/m);
  assert.match(help, /Precedence: defaults < config file < environment < flags\./);
  assert.ok(help.split('\n').every((line) => line.length <= 100), 'lines fit a terminal');
});

test('the options table has one row per option, in schema order', () => {
  const rows = optionsMarkdownTable().trim().split('\n').slice(2);
  assert.equal(rows.length, optionNames.length);
  rows.forEach((row, i) => {
    const name = optionNames[i]!;
    assert.ok(row.startsWith(`| \`${flagForms(name)[0]}\``), row);
    assert.ok(row.includes(`\`${schema[name].env}\``), row);
  });
});

test("the README's options block is optionsMarkdownTable()'s output", () => {
  const path = join(repoRoot, 'README.md');
  assert.ok(existsSync(path), 'README.md is missing; it must hold the options table between <!-- options:start --> and <!-- options:end -->');
  const readme = readFileSync(path, 'utf8');
  const start = '<!-- options:start -->';
  const end = '<!-- options:end -->';
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  assert.ok(from !== -1 && to > from, `README.md needs ${start} ... ${end} around the output of optionsMarkdownTable() (src/config/help.ts)`);
  assert.equal(readme.slice(from + start.length, to).trim(), optionsMarkdownTable().trim(), 'README options table is stale: paste optionsMarkdownTable() output between the markers');
});
