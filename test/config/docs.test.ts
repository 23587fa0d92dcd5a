import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { configFile, optionsTable, pluginOptions, runDocs } from '../../scripts/docs.js';
import { flagForms } from '../../src/config/help.js';
import { defaultConfig, loadConfig } from '../../src/config/load-config.js';
import { optionNames, schema } from '../../src/config/schema.js';
import { buildRoot, repoRoot } from '../../support/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'peng-docs-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const GENERATED = ['README.md', 'plugin.yaml', 'config/peng.yaml'];

/** A fresh package root holding the generated files, up to date (whatever state the repository's copies are in). */
function generatedCopy(name: string): string {
  const root = join(dir, name);
  mkdirSync(join(root, 'config'), { recursive: true });
  for (const path of GENERATED) copyFileSync(join(repoRoot, path), join(root, path));
  assert.equal(docs([], root).code, 0);
  return root;
}

function docs(args: string[], root: string): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = runDocs(args, root, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

// The drift gate CI relies on: `npm test` fails when a generated file is not what `npm run docs` writes.
test('README.md, plugin.yaml and config/peng.yaml are what npm run docs generates (npm run docs -- --check)', () => {
  const child = spawnSync(process.execPath, [join(buildRoot, 'scripts', 'docs.js'), '--check'], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
  assert.equal(child.stderr, '', 'run npm run docs and commit the generated files');
  assert.equal(child.status, 0);
});

test('--check names each file that differs and its first different line, and writes nothing', () => {
  const root = generatedCopy('drift');
  const plugin = readFileSync(join(root, 'plugin.yaml'), 'utf8');
  const driftedPlugin = plugin.replace('default: 16', 'default: 32');
  writeFileSync(join(root, 'plugin.yaml'), driftedPlugin);
  rmSync(join(root, 'config', 'peng.yaml'));
  const result = docs(['--check'], root);
  assert.equal(result.code, 1);
  const driftLine = driftedPlugin.split('\n').findIndex((line) => line.includes('default: 32')) + 1;
  assert.deepEqual(result.err, [
    `docs: plugin.yaml differs from src/config/schema.ts at line ${driftLine}; run npm run docs to regenerate it`,
    'docs: config/peng.yaml is missing; run npm run docs to generate it from src/config/schema.ts',
  ]);
  assert.equal(readFileSync(join(root, 'plugin.yaml'), 'utf8'), driftedPlugin, '--check writes nothing');
});

test('npm run docs rewrites only the generated parts, and then --check passes', () => {
  const root = generatedCopy('write');
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('<!-- options:start -->');
  const end = readme.indexOf('<!-- options:end -->');
  writeFileSync(join(root, 'README.md'), `${readme.slice(0, start)}<!-- options:start -->\nold table\n${readme.slice(end)}`);
  writeFileSync(join(root, 'config', 'peng.yaml'), 'bin: 8\n');
  const written = docs([], root);
  assert.equal(written.code, 0);
  assert.deepEqual(written.out, ['docs: wrote README.md', 'docs: wrote config/peng.yaml']);
  assert.equal(readFileSync(join(root, 'README.md'), 'utf8'), readme, 'the README outside the markers is kept');
  assert.equal(readFileSync(join(root, 'config', 'peng.yaml'), 'utf8'), configFile());
  assert.deepEqual(docs(['--check'], root), { code: 0, out: ['docs: README.md, plugin.yaml and config/peng.yaml match src/config/schema.ts'], err: [] });
});

test("plugin.yaml's parts outside the options and metrics markers are kept as they are", () => {
  const root = generatedCopy('plugin');
  const plugin = readFileSync(join(root, 'plugin.yaml'), 'utf8');
  const edited = plugin.replace('type: peng\n', 'type: peng  # edited by hand\n').replace('# Each metric under', '# Each metric (edited by hand) under');
  const stale = edited.replace(/ {2}- name: bin\n/, '  - name: binned\n').replace('value_type: double', 'value_type: int');
  assert.notEqual(stale, edited);
  writeFileSync(join(root, 'plugin.yaml'), stale);
  assert.equal(docs([], root).code, 0);
  assert.equal(readFileSync(join(root, 'plugin.yaml'), 'utf8'), edited);
});

test('a file without its markers, or an unknown argument, is a one-line error saying what to do', () => {
  const root = generatedCopy('markers');
  writeFileSync(join(root, 'plugin.yaml'), 'name: peng\noptions: []\n');
  assert.deepEqual(docs(['--check'], root), {
    code: 1,
    out: [],
    err: ['docs: plugin.yaml has no # options:start ... # options:end block; put those two marker lines around its generated options'],
  });
  writeFileSync(join(root, 'plugin.yaml'), '# options:start\n# options:end\nmetrics: {}\n');
  assert.deepEqual(docs(['--check'], root).err, [
    'docs: plugin.yaml has no # metrics:start ... # metrics:end block; put those two marker lines around its generated attributes and metrics',
  ]);
  assert.deepEqual(docs(['--fix'], root).err, ['docs: unknown argument "--fix"; run npm run docs to write the files, or npm run docs -- --check to compare them']);
  assert.equal(docs(['--fix'], root).code, 2);
});

test("plugin.yaml's options read back as the schema: name, flag, env, type, default and doc", () => {
  const { options } = parse(pluginOptions()) as { options: Array<Record<string, unknown>> };
  assert.deepEqual(options.map((option) => option['name']), [...optionNames]);
  options.forEach((option, i) => {
    const spec = schema[optionNames[i]!];
    assert.deepEqual([option['flag'], option['env'], option['default'], option['doc']], [`-${optionNames[i]!}`, spec.env, spec.default, spec.doc]);
  });
});

test('the options table has one row per option, in schema order', () => {
  const rows = optionsTable().trim().split('\n').slice(2);
  assert.equal(rows.length, optionNames.length);
  rows.forEach((row, i) => {
    const name = optionNames[i]!;
    assert.ok(row.startsWith(`| \`${flagForms(name)[0]!}\``), row);
    assert.ok(row.includes(schema[name].env === undefined ? '_command line only_' : `\`${schema[name].env}\``), row);
    assert.equal(row.split(/(?<!\\)\|/).length, 7, `five cells: ${row}`);
  });
});

test('config/peng.yaml sets every option a file can set, in schema order, and loads to the defaults', () => {
  const path = join(dir, 'peng.yaml');
  writeFileSync(path, configFile());
  const fileOptions = optionNames.filter((name) => schema[name].inFile !== false);
  assert.deepEqual(Object.keys(parse(configFile()) as object), fileOptions);
  assert.deepEqual(loadConfig(['--config', path], {}), { ...defaultConfig(), config: path });
  assert.ok(configFile().split('\n').every((line) => line.length <= 100), 'comment lines fit 100 columns');
});
