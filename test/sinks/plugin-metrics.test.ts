import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValueType } from '@opentelemetry/api';
import { parse } from 'yaml';
import { LINE_PROTOCOL_FIELDS } from '../../src/sinks/line-protocol.js';
import { PENG_ATTRIBUTES, PENG_INSTRUMENTS } from '../../src/sinks/otel/instruments.js';
import { ATTR_NETWORK_INTERFACE_NAME } from '../../src/sinks/otel/semconv.js';
import { repoRoot } from '../../support/paths.js';

const manifest = parse(readFileSync(join(repoRoot, 'plugin.yaml'), 'utf8')) as Record<string, unknown>;

// The rules of the OpenTelemetry Collector's mdatagen metadata schema (cmd/mdatagen/metadata-schema.yaml)
// for the parts plugin.yaml uses: type, status, attributes and metrics (gauges and sums).
const MDATAGEN_KEYS = ['type', 'status', 'attributes', 'metrics'];
/** Peng's own top-level keys, which a reader of mdatagen metadata ignores. */
const PENG_KEYS = ['description', 'version', 'options', 'peng_metric_names'];
const CLASSES = ['receiver', 'processor', 'exporter', 'connector', 'extension', 'scraper', 'cmd', 'pkg', 'converter', 'provider'];
const STABILITY = ['development', 'alpha', 'beta', 'stable', 'deprecated', 'unmaintained'];
const SIGNALS = ['metrics', 'logs', 'traces', 'profiles'];
const ATTRIBUTE_TYPES = ['string', 'int', 'double', 'bool', 'bytes', 'slice', 'map'];
const REQUIREMENT_LEVELS = ['required', 'conditionally_required', 'recommended', 'opt_in'];
const VALUE_TYPES = ['int', 'double'];
const TEMPORALITIES = ['delta', 'cumulative'];

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function onlyKeys(where: string, value: Record<string, unknown>, allowed: string[], required: string[], errors: string[]): void {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) errors.push(`${where}: unknown key ${key}`);
  for (const key of required) if (!(key in value)) errors.push(`${where}: missing ${key}`);
}

function oneOf(where: string, value: unknown, values: string[], errors: string[]): void {
  if (typeof value !== 'string' || !values.includes(value)) errors.push(`${where}: ${JSON.stringify(value)} is not one of ${values.join('|')}`);
}

/** The mdatagen rules broken by a parsed metadata file, one line each (none: valid). */
function mdatagenErrors(doc: Record<string, unknown>): string[] {
  const errors: string[] = [];
  onlyKeys('top level', doc, [...MDATAGEN_KEYS, ...PENG_KEYS], ['type'], errors);
  if (typeof doc['type'] !== 'string' || !/^[a-z][a-z0-9_]*$/.test(doc['type'])) errors.push(`type: ${JSON.stringify(doc['type'])} is not a component type name`);
  const status = doc['status'];
  if (!isMap(status)) errors.push('status: not a map');
  else {
    onlyKeys('status', status, ['class', 'stability', 'codeowners', 'distributions', 'warnings', 'unsupported_platforms'], ['class', 'stability'], errors);
    oneOf('status.class', status['class'], CLASSES, errors);
    if (!isMap(status['stability'])) errors.push('status.stability: not a map');
    else
      for (const [level, signals] of Object.entries(status['stability'])) {
        oneOf('status.stability', level, STABILITY, errors);
        if (!Array.isArray(signals) || signals.length === 0) errors.push(`status.stability.${level}: not a list of signals`);
        else for (const signal of signals) oneOf(`status.stability.${level}`, signal, SIGNALS, errors);
      }
  }
  const attributes = doc['attributes'] ?? {};
  if (!isMap(attributes)) errors.push('attributes: not a map');
  else
    for (const [name, a] of Object.entries(attributes)) {
      if (!isMap(a)) {
        errors.push(`attributes.${name}: not a map`);
        continue;
      }
      onlyKeys(`attributes.${name}`, a, ['description', 'type', 'enum', 'name_override', 'requirement_level', 'warnings'], ['description', 'type'], errors);
      if (typeof a['description'] !== 'string' || a['description'] === '') errors.push(`attributes.${name}: empty description`);
      oneOf(`attributes.${name}.type`, a['type'], ATTRIBUTE_TYPES, errors);
      if ('requirement_level' in a) oneOf(`attributes.${name}.requirement_level`, a['requirement_level'], REQUIREMENT_LEVELS, errors);
      if ('enum' in a) {
        const values = a['enum'];
        if (a['type'] !== 'string') errors.push(`attributes.${name}: enum on a ${String(a['type'])} attribute`);
        if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === 'string')) errors.push(`attributes.${name}.enum: not a list of strings`);
        else if (new Set(values).size !== values.length) errors.push(`attributes.${name}.enum: repeated values`);
      }
    }
  const metrics = doc['metrics'];
  const used = new Set<string>();
  if (!isMap(metrics)) errors.push('metrics: not a map');
  else
    for (const [name, m] of Object.entries(metrics)) {
      const where = `metrics.${name}`;
      if (!isMap(m)) {
        errors.push(`${where}: not a map`);
        continue;
      }
      onlyKeys(where, m, ['enabled', 'description', 'extended_documentation', 'unit', 'gauge', 'sum', 'attributes', 'stability', 'warnings'], ['enabled', 'description', 'unit', 'stability'], errors);
      if (typeof m['enabled'] !== 'boolean') errors.push(`${where}.enabled: not a boolean`);
      if (typeof m['description'] !== 'string' || m['description'] === '') errors.push(`${where}: empty description`);
      if (typeof m['unit'] !== 'string') errors.push(`${where}.unit: not a string`);
      oneOf(`${where}.stability`, m['stability'], STABILITY, errors);
      if (('gauge' in m) === ('sum' in m)) errors.push(`${where}: needs exactly one of gauge and sum`);
      if (isMap(m['gauge'])) {
        onlyKeys(`${where}.gauge`, m['gauge'], ['value_type', 'input_type'], ['value_type'], errors);
        oneOf(`${where}.gauge.value_type`, m['gauge']['value_type'], VALUE_TYPES, errors);
      } else if ('gauge' in m) errors.push(`${where}.gauge: not a map`);
      if (isMap(m['sum'])) {
        const sum = m['sum'];
        onlyKeys(`${where}.sum`, sum, ['value_type', 'input_type', 'monotonic', 'aggregation_temporality'], ['value_type', 'monotonic', 'aggregation_temporality'], errors);
        oneOf(`${where}.sum.value_type`, sum['value_type'], VALUE_TYPES, errors);
        if (typeof sum['monotonic'] !== 'boolean') errors.push(`${where}.sum.monotonic: not a boolean`);
        oneOf(`${where}.sum.aggregation_temporality`, sum['aggregation_temporality'], TEMPORALITIES, errors);
      } else if ('sum' in m) errors.push(`${where}.sum: not a map`);
      const list = m['attributes'] ?? [];
      if (!Array.isArray(list)) errors.push(`${where}.attributes: not a list`);
      else {
        if (new Set(list).size !== list.length) errors.push(`${where}.attributes: repeated names`);
        for (const a of list) {
          used.add(String(a));
          if (!isMap(attributes) || !(String(a) in attributes)) errors.push(`${where}: attribute ${String(a)} is not defined in attributes`);
        }
      }
    }
  if (isMap(attributes)) for (const name of Object.keys(attributes)) if (!used.has(name)) errors.push(`attributes.${name}: used by no metric`);
  return errors;
}

test('plugin.yaml is valid mdatagen metadata: required keys, enums, sums with monotonicity and temporality, attributes defined once', () => {
  assert.deepEqual(mdatagenErrors(manifest), []);
  // YAML maps already make names unique; a repeated key must be a parse error, not a silent overwrite.
  assert.throws(() => parse('metrics:\n  a: {}\n  a: {}\n'), /Map keys must be unique/);
});

test('the validator catches each kind of mistake', () => {
  const valid = structuredClone(manifest);
  const broken = (edit: (doc: any) => void): string[] => {
    const doc = structuredClone(valid);
    edit(doc);
    return mdatagenErrors(doc);
  };
  const first = Object.keys(manifest['metrics'] as object)[2]!; // a sum
  assert.deepEqual(broken((d) => delete d.type), ['top level: missing type', 'type: undefined is not a component type name']);
  assert.deepEqual(broken((d) => (d.status.class = 'sensor')), ['status.class: "sensor" is not one of ' + CLASSES.join('|')]);
  assert.deepEqual(broken((d) => delete d.metrics[first].sum.aggregation_temporality), [`metrics.${first}.sum: missing aggregation_temporality`, `metrics.${first}.sum.aggregation_temporality: undefined is not one of delta|cumulative`]);
  assert.deepEqual(broken((d) => delete d.metrics[first].sum.monotonic), [`metrics.${first}.sum: missing monotonic`, `metrics.${first}.sum.monotonic: not a boolean`]);
  assert.deepEqual(broken((d) => (d.metrics[first].gauge = { value_type: 'int' })), [`metrics.${first}: needs exactly one of gauge and sum`]);
  assert.deepEqual(broken((d) => d.metrics[first].attributes.push('peng.nope')), [`metrics.${first}: attribute peng.nope is not defined in attributes`]);
  assert.deepEqual(broken((d) => (d.metrics[first].prometheus = 'x')), [`metrics.${first}: unknown key prometheus`]);
  assert.deepEqual(broken((d) => delete d.metrics[first].enabled), [`metrics.${first}: missing enabled`, `metrics.${first}.enabled: not a boolean`]);
  assert.deepEqual(broken((d) => (d.attributes['peng.spare'] = { description: 'x', type: 'str' })), ['attributes.peng.spare.type: "str" is not one of ' + ATTRIBUTE_TYPES.join('|'), 'attributes.peng.spare: used by no metric']);
});

test("plugin.yaml's metrics and attributes are the instrument table: one metric per instrument name", () => {
  const names = [...new Set(PENG_INSTRUMENTS.map((i) => i.name))];
  const metrics = manifest['metrics'] as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(metrics), names);
  for (const name of names) {
    const entries = PENG_INSTRUMENTS.filter((i) => i.name === name);
    const i = entries[0]!;
    const valueType = i.valueType === ValueType.INT ? 'int' : 'double';
    // Entries sharing a name (probes by kind) are one instrument with one more attribute.
    const extra = [...new Set(entries.flatMap((e) => (e.attribute ? [e.attribute.key] : [])))];
    assert.deepEqual(metrics[name], {
      enabled: true,
      description: i.description,
      unit: i.unit,
      ...(i.kind === 'gauge' ? { gauge: { value_type: valueType } } : { sum: { value_type: valueType, monotonic: true, aggregation_temporality: 'cumulative' } }),
      attributes: [ATTR_NETWORK_INTERFACE_NAME, ...extra],
      stability: 'development',
    });
    for (const e of entries) if (e.attribute && PENG_ATTRIBUTES[e.attribute.key]!.enum) assert.ok(PENG_ATTRIBUTES[e.attribute.key]!.enum!.includes(e.attribute.value), e.attribute.value);
  }
  const attributes = manifest['attributes'] as Record<string, { enum?: string[] }>;
  assert.deepEqual(Object.keys(attributes), Object.keys(PENG_ATTRIBUTES));
  for (const [key, a] of Object.entries(PENG_ATTRIBUTES)) assert.deepEqual(attributes[key], { ...a, ...(a.enum ? { enum: [...a.enum] } : {}) });
});

test("plugin.yaml's peng_metric_names name every line protocol field once, and the Prometheus name the Collector gives", () => {
  const metrics = manifest['metrics'] as Record<string, { sum?: unknown }>;
  const extras = manifest['peng_metric_names'] as Record<string, { prometheus: string; line_protocol_field?: string }>;
  assert.deepEqual(Object.keys(extras), Object.keys(metrics));
  const fields = Object.values(extras).flatMap((m) => (m.line_protocol_field ? [m.line_protocol_field] : []));
  assert.deepEqual(fields.sort(), Object.values(LINE_PROTOCOL_FIELDS).sort());
  for (const [name, m] of Object.entries(extras)) {
    assert.deepEqual(Object.keys(m).filter((k) => k !== 'prometheus' && k !== 'line_protocol_field'), []);
    // Units are annotations ({packet}, {entropy}), which every translator drops; monotonic sums get `_total`.
    assert.equal(m.prometheus, name.replaceAll('.', '_') + (metrics[name]!.sum ? '_total' : ''));
    if (m.line_protocol_field) assert.equal(m.line_protocol_field, name.replace(/^peng\.(client|server)\./, '$1_'));
  }
});
