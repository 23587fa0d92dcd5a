// The Grafana dashboard and the Kubernetes DaemonSet type-checked against their peers' published types
// (@grafana/schema, kubernetes-types) by tsc, plus what types cannot say: the current dashboard model,
// and a DaemonSet that captures on the host with two capabilities and a configuration Peng accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import { loadConfig } from '../../src/config/load-config.js';
import { repoRoot } from '../../support/paths.js';

const typesDir = join(repoRoot, 'test', 'examples', 'types');
const dashboardText = readFileSync(join(repoRoot, 'examples', 'grafana', 'peng-dashboard.json'), 'utf8');
const daemonset = parse(readFileSync(join(repoRoot, 'examples', 'kubernetes', 'peng-daemonset.yaml'), 'utf8')) as DaemonSet;

test('tsc accepts the dashboard as @grafana/schema Dashboard and the DaemonSet as kubernetes-types DaemonSet', () => {
  const dir = mkdtempSync(join(tmpdir(), 'peng-example-types-'));
  try {
    for (const file of readdirSync(typesDir)) copyFileSync(join(typesDir, file), join(dir, file));
    writeFileSync(join(dir, 'peng-dashboard.json'), dashboardText);
    // The YAML converted with the yaml package, as kubectl would read it.
    writeFileSync(join(dir, 'peng-daemonset.json'), JSON.stringify(daemonset));
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const result = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

interface Variable {
  name: string;
  type: string;
  current?: { text?: unknown; value?: unknown };
}
interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}

test('the dashboard uses the current model: annotation queries under target, variables with current set, fleet panels', () => {
  const dashboard = JSON.parse(dashboardText) as {
    annotations: { list: { name: string; expr?: string; target?: { expr?: string; refId?: string } }[] };
    templating: { list: Variable[] };
    panels: Panel[];
  };
  const alerts = dashboard.annotations.list.find((a) => a.name === 'Peng alerts');
  assert.ok(alerts?.target?.expr, 'the alert annotation keeps its query under target');
  assert.equal(alerts.expr, undefined, 'no legacy top-level expr');
  assert.match(alerts.target.expr, /ALERTS\{alertname=~"Peng\.\*"/);
  for (const variable of dashboard.templating.list) {
    assert.ok(variable.current && variable.current.value !== undefined && variable.current.text !== undefined, `${variable.name}: current set`);
  }
  const types = dashboard.panels.map((p) => p.type);
  assert.ok(types.includes('heatmap'), 'a heatmap of entropy');
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  assert.ok(exprs.some((e) => /topk\(10, max by \(host\)/.test(e)), 'top-N hosts');
  assert.ok(exprs.some((e) => /topk\(10, count by \(source\)/.test(e)), 'top-N sources');
  assert.ok(exprs.some((e) => /count\(host:peng_under_scan:present\)/.test(e)), 'hosts under scan');
  // Only the normalised labels: the dashboard works whichever path (OTel or Telegraf) fed Prometheus,
  // except the capture counters, which only the OTel path carries.
  for (const e of exprs.filter((x) => !x.includes('peng_capture_'))) assert.doesNotMatch(e, /host_name|network_interface_name/, e);
});

test('the DaemonSet captures on the host network with only NET_RAW and NET_ADMIN, names the node, and configures Peng validly', () => {
  assert.equal(daemonset.apiVersion, 'apps/v1');
  assert.equal(daemonset.kind, 'DaemonSet');
  const pod = daemonset.spec!.template.spec!;
  assert.equal(pod.hostNetwork, true);
  const container = pod.containers[0]!;
  assert.deepEqual(container.securityContext?.capabilities, { drop: ['ALL'], add: ['NET_RAW', 'NET_ADMIN'] });
  assert.equal(container.securityContext?.privileged, false);
  assert.equal(container.securityContext?.allowPrivilegeEscalation, false);
  // Sized from the benchmark's live flood (about 186 MiB RSS).
  assert.equal(container.resources?.requests?.['memory'], '200Mi');
  const env = new Map((container.env ?? []).map((e) => [e.name, e]));
  assert.equal(env.get('NODE_NAME')?.valueFrom?.fieldRef?.fieldPath, 'spec.nodeName');
  assert.match(env.get('OTEL_RESOURCE_ATTRIBUTES')?.value ?? '', /(^|,)host\.name=\$\(NODE_NAME\)(,|$)/);
  // Kubernetes expands $(VAR) from earlier entries; do the same with sample downward-API values.
  const sample: Record<string, string> = { NODE_NAME: 'node-a', HOST_IP: '192.0.2.10' };
  const expand = (value: string) => value.replace(/\$\((\w+)\)/g, (_, name: string) => sample[name] ?? '');
  const pengEnv: Record<string, string> = {};
  for (const [name, e] of env) if (name.startsWith('PENG_') && e.value !== undefined) pengEnv[name] = expand(e.value);
  const config = loadConfig(container.args ?? [], pengEnv);
  assert.equal(config.command, 'live');
  assert.equal(config.otlp, true);
  assert.equal(config.otlpEndpoint, 'http://192.0.2.10:4318');
  assert.equal(config.user, '', 'no CAP_SETUID in the pod: Peng must not try to switch users');
  assert.ok(config.localAddresses.length === 2, JSON.stringify(config.localAddresses));
});
