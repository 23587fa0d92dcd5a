import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { LINE_PROTOCOL_FIELDS } from '../../src/sinks/line-protocol.js';
import { PENG_INSTRUMENTS } from '../../src/sinks/otel/instruments.js';
import { ATTR_NETWORK_INTERFACE_NAME } from '../../src/sinks/otel/semconv.js';
import { repoRoot } from '../../support/paths.js';

interface ManifestMetric {
  name: string;
  kind: string;
  unit: string;
  description: string;
  attributes: string[];
  lineProtocolField?: string;
  prometheus: string;
}

const metrics = (parse(readFileSync(join(repoRoot, 'plugin.yaml'), 'utf8')) as { metrics: ManifestMetric[] }).metrics;

test("plugin.yaml's metrics are the OpenTelemetry instruments: name, kind, unit, description, attributes", () => {
  assert.deepEqual(
    metrics.map((m) => ({ name: m.name, kind: m.kind, unit: m.unit, description: m.description, attributes: m.attributes })),
    // Entries sharing a name (probes by kind) are one instrument with one more attribute.
    PENG_INSTRUMENTS.filter((i, n) => PENG_INSTRUMENTS.findIndex((j) => j.name === i.name) === n).map((i) => ({
      name: i.name,
      kind: i.kind,
      unit: i.unit,
      description: i.description,
      attributes: [ATTR_NETWORK_INTERFACE_NAME, ...(i.attribute ? [i.attribute.key] : [])],
    })),
  );
});

test("plugin.yaml names every line protocol field once, and the Prometheus name the Collector gives", () => {
  const fields = metrics.flatMap((m) => (m.lineProtocolField ? [m.lineProtocolField] : []));
  assert.deepEqual(fields.sort(), Object.values(LINE_PROTOCOL_FIELDS).sort());
  for (const m of metrics) {
    // Units are annotations ({packet}, {entropy}), which every translator drops; counters get `_total`.
    assert.equal(m.prometheus, m.name.replaceAll('.', '_') + (m.kind === 'counter' ? '_total' : ''));
    if (m.lineProtocolField) assert.equal(m.lineProtocolField, m.name.replace(/^peng\.(client|server)\./, '$1_'));
  }
});
