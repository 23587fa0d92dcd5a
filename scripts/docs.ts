/**
 * `npm run docs`: writes every option's documentation from src/config/schema.ts, the way Telegraf
 * generates plugin READMEs from sample.conf. It owns the README's options table (between
 * `<!-- options:start -->` and `<!-- options:end -->`), plugin.yaml's `options` (between
 * `# options:start` and `# options:end`), plugin.yaml's mdatagen `attributes` and `metrics` with Peng's
 * `peng_metric_names` (between `# metrics:start` and `# metrics:end`, from src/sinks/otel/instruments.ts)
 * and all of config/peng.yaml.
 * `npm run docs -- --check` writes nothing and exits with 1 when a file differs from what it would write.
 * Paths are relative to the current directory, which npm sets to the package root.
 */
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ValueType } from '@opentelemetry/api';
import { Document, isSeq, stringify, visit } from 'yaml';
import { formats } from '../src/config/formats.js';
import { defaultText, flagForms, wrap } from '../src/config/help.js';
import { optionNames, schema } from '../src/config/schema.js';
import { LINE_PROTOCOL_FIELDS } from '../src/sinks/line-protocol.js';
import { PENG_ATTRIBUTES, PENG_INSTRUMENTS } from '../src/sinks/otel/instruments.js';
import {
  ATTR_NETWORK_INTERFACE_NAME,
  METRIC_PENG_CLIENT_ENTROPY,
  METRIC_PENG_CLIENT_SYN_PACKETS,
  METRIC_PENG_SERVER_ENTROPY,
  METRIC_PENG_SERVER_SYN_PACKETS,
} from '../src/sinks/otel/semconv.js';

const SOURCE = 'src/config/schema.ts';
const COMMENT_WIDTH = 100;
// Plain YAML, one line per value, `[]` for lists: the style the hand-written files had.
const YAML_STYLE = { lineWidth: 0, flowCollectionPadding: false } as const;

/** A file the generator cannot update (missing, or without its markers); the message says what to do. */
export class DocsError extends Error {}

/** The README's options table: one row per option, in schema order. */
export function optionsTable(): string {
  const rows = [
    '| Flag | Environment | Type | Default | Description |',
    '|---|---|---|---|---|',
    ...optionNames.map((name) => {
      const cells = [
        flagForms(name).map((form) => `\`${form}\``).join(', '),
        schema[name].env === undefined ? '_command line only_' : `\`${schema[name].env}\``,
        formats[schema[name].format].type,
        defaultText(name) === 'empty' ? '_empty_' : `\`${defaultText(name)}\``,
        schema[name].doc,
      ];
      return `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
    }),
  ];
  return `${rows.join('\n')}\n`;
}

/** plugin.yaml's `options` key: name, flag, env, type, default and doc of every option. */
export function pluginOptions(): string {
  const options = optionNames.map((name) => ({
    name,
    flag: `-${name}`,
    env: schema[name].env,
    type: formats[schema[name].format].type,
    default: schema[name].default,
    doc: schema[name].doc,
  }));
  return stringify({ options }, YAML_STYLE);
}

/** The line protocol field of each metric that has one (the rest exist only in OpenTelemetry). */
const LINE_PROTOCOL_FIELD_OF: Readonly<Record<string, string>> = {
  [METRIC_PENG_SERVER_ENTROPY]: LINE_PROTOCOL_FIELDS.serverEntropy,
  [METRIC_PENG_CLIENT_ENTROPY]: LINE_PROTOCOL_FIELDS.clientEntropy,
  [METRIC_PENG_SERVER_SYN_PACKETS]: LINE_PROTOCOL_FIELDS.serverSynPackets,
  [METRIC_PENG_CLIENT_SYN_PACKETS]: LINE_PROTOCOL_FIELDS.clientSynPackets,
};

/**
 * The Prometheus name the Collector's translation gives a metric: dots to underscores, `_total` on
 * monotonic sums; Peng's units are annotations ({packet}), which every translator drops.
 */
export function prometheusName(name: string, kind: 'gauge' | 'counter'): string {
  return name.replaceAll('.', '_') + (kind === 'counter' ? '_total' : '');
}

/**
 * plugin.yaml's metric part in the OpenTelemetry Collector's mdatagen metadata schema: `attributes` (each
 * data-point attribute defined once) and `metrics` (one entry per instrument; PENG_INSTRUMENTS entries sharing
 * a name are one instrument with one more attribute), then `peng_metric_names`, Peng's own map of each
 * metric's Prometheus name and line protocol field (mdatagen rejects unknown keys inside a metric).
 */
export function pluginMetrics(): string {
  const names = [...new Set(PENG_INSTRUMENTS.map((i) => i.name))];
  const attributesOf = (name: string): string[] => [
    ATTR_NETWORK_INTERFACE_NAME,
    ...new Set(PENG_INSTRUMENTS.flatMap((i) => (i.name === name && i.attribute ? [i.attribute.key] : []))),
  ];
  const used = new Set(names.flatMap(attributesOf));
  const attributes = Object.fromEntries(
    Object.entries(PENG_ATTRIBUTES)
      .filter(([key]) => used.has(key))
      .map(([key, a]) => [key, { description: a.description, type: a.type, ...(a.enum ? { enum: [...a.enum] } : {}) }]),
  );
  const metrics: Record<string, unknown> = {};
  const pengNames: Record<string, unknown> = {};
  for (const name of names) {
    const i = PENG_INSTRUMENTS.find((instrument) => instrument.name === name)!;
    const valueType = i.valueType === ValueType.INT ? 'int' : 'double';
    metrics[name] = {
      enabled: true,
      description: i.description,
      unit: i.unit,
      // Sums are cumulative unless OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE asks for delta.
      ...(i.kind === 'gauge'
        ? { gauge: { value_type: valueType } }
        : { sum: { value_type: valueType, monotonic: true, aggregation_temporality: 'cumulative' } }),
      attributes: attributesOf(name),
      stability: 'development',
    };
    const field = LINE_PROTOCOL_FIELD_OF[name];
    pengNames[name] = { prometheus: prometheusName(name, i.kind), ...(field === undefined ? {} : { line_protocol_field: field }) };
  }
  const doc = new Document({ attributes, metrics, peng_metric_names: pengNames });
  // Lists (attributes of a metric, enum values) on one line, as the hand-written file had them.
  visit(doc, { Seq: (_key, node) => { if (isSeq(node)) node.flow = true; } });
  return doc.toString(YAML_STYLE);
}

/** config/peng.yaml: every option a config file can set, at its default, under its documentation. */
export function configFile(): string {
  const fileOptions = optionNames.filter((name) => schema[name].inFile !== false);
  const commandLineOnly = optionNames.filter((name) => schema[name].inFile === false);
  const lines = [
    "Peng's default configuration. Every value below is the built-in default, so this file changes nothing until you edit it. Use it with `peng --config config/peng.yaml` (or PENG_CONFIG=...).",
    'Keys are the flag names. Precedence: defaults < this file < PENG_* environment variables < flags.',
    `\`peng --help\` documents every option; ${listText(commandLineOnly)} are command-line only.`,
    `Generated from ${SOURCE} by \`npm run docs\`; maintainers edit the schema, not this file.`,
  ].flatMap(comment);
  for (const name of fileOptions) {
    lines.push('', ...comment(schema[name].doc));
    const secret = schema[name].sensitive === true ? '  # secret: keep this file readable by root only if you set it' : '';
    lines.push(`${name}: ${stringify(schema[name].default, { ...YAML_STYLE, collectionStyle: 'flow' }).trimEnd()}${secret}`);
  }
  return `${lines.join('\n')}\n`;
}

/** One generated file: its path from the package root and the text it should hold. */
export interface GeneratedFile {
  readonly path: string;
  readonly text: string;
}

/** What each generated file should hold, given the current README.md and plugin.yaml under `root`. */
export function generatedFiles(root: string): GeneratedFile[] {
  const readme = replaceBlock(readRequired(root, 'README.md'), 'README.md', '<!-- options:start -->', '<!-- options:end -->', `<!-- generated from ${SOURCE} by \`npm run docs\`; edit the schema, not this table -->\n${optionsTable()}`, 'options');
  const withOptions = replaceBlock(readRequired(root, 'plugin.yaml'), 'plugin.yaml', '# options:start', '# options:end', pluginOptions(), 'options');
  const plugin = replaceBlock(withOptions, 'plugin.yaml', '# metrics:start', '# metrics:end', pluginMetrics(), 'attributes and metrics');
  return [
    { path: 'README.md', text: readme },
    { path: 'plugin.yaml', text: plugin },
    { path: 'config/peng.yaml', text: configFile() },
  ];
}

/** Where `npm run docs` reports: status lines and error lines. */
export interface DocsOutput {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** Runs `npm run docs [-- --check]` on the package at `root`; returns the exit code. */
export function runDocs(args: readonly string[], root: string, output: DocsOutput): number {
  const unknown = args.find((arg) => arg !== '--check');
  if (unknown !== undefined) {
    output.err(`docs: unknown argument ${JSON.stringify(unknown)}; run npm run docs to write the files, or npm run docs -- --check to compare them`);
    return 2;
  }
  const check = args.includes('--check');
  let files: GeneratedFile[];
  try {
    files = generatedFiles(root);
  } catch (err) {
    if (!(err instanceof DocsError)) throw err;
    output.err(`docs: ${err.message}`);
    return 1;
  }
  let stale = 0;
  for (const file of files) {
    const path = join(root, file.path);
    const current = existsSync(path) ? readFileSync(path, 'utf8') : null;
    if (current === file.text) continue;
    stale++;
    if (!check) {
      writeFileSync(path, file.text);
      output.out(`docs: wrote ${file.path}`);
    } else if (current === null) {
      output.err(`docs: ${file.path} is missing; run npm run docs to generate it from ${SOURCE}`);
    } else {
      output.err(`docs: ${file.path} differs from ${SOURCE} at line ${firstDifferentLine(current, file.text)}; run npm run docs to regenerate it`);
    }
  }
  if (stale === 0) output.out(`docs: ${listText(files.map((file) => file.path))} match ${SOURCE}`);
  return check && stale > 0 ? 1 : 0;
}

function readRequired(root: string, path: string): string {
  try {
    return readFileSync(join(root, path), 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new DocsError(`${path} cannot be read (${reason}); run npm run docs from the package root`);
  }
}

/** Replaces the lines strictly between the line holding `start` and the line holding `end`. */
function replaceBlock(text: string, path: string, start: string, end: string, body: string, what: string): string {
  const startAt = text.indexOf(start);
  const endAt = text.indexOf(end, startAt + start.length);
  if (startAt === -1 || endAt === -1) {
    throw new DocsError(`${path} has no ${start} ... ${end} block; put those two marker lines around its generated ${what}`);
  }
  const bodyStart = text.indexOf('\n', startAt) + 1;
  const bodyEnd = text.lastIndexOf('\n', endAt) + 1;
  if (bodyStart === 0 || bodyStart > bodyEnd) {
    throw new DocsError(`${path} has ${start} and ${end} on one line; put each marker on a line of its own`);
  }
  return text.slice(0, bodyStart) + body + text.slice(bodyEnd);
}

function comment(text: string): string[] {
  return wrap(text, COMMENT_WIDTH - 2).map((line) => `# ${line}`);
}

function firstDifferentLine(current: string, expected: string): number {
  const a = current.split('\n');
  const b = expected.split('\n');
  let line = 0;
  while (line < a.length && line < b.length && a[line] === b[line]) line++;
  return line + 1;
}

function listText(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  process.exitCode = runDocs(process.argv.slice(2), process.cwd(), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}
