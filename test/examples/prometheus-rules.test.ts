import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../../support/paths.js';

const dir = join(repoRoot, 'examples', 'prometheus');

function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}${result.error?.message ?? ''}` };
}

interface Rule {
  alert: string;
  expr: string;
  labels: { severity: string };
}

const rules = (parse(readFileSync(join(dir, 'peng-alerts.yml'), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

/** The number after `> ` in a rule's expression. */
function threshold(alert: string): number {
  const rule = rules.find((r) => r.alert === alert);
  assert.ok(rule, `rule ${alert} missing`);
  const match = /> (\d+(?:\.\d+)?)\s*$/.exec(rule.expr.trim());
  assert.ok(match, `no threshold in ${rule.expr}`);
  return Number(match[1]);
}

test('promtool check rules accepts the alert rules', () => {
  const result = promtool('check', 'rules', 'peng-alerts.yml');
  assert.equal(result.status, 0, result.output);
  assert.match(result.output, /SUCCESS: 4 rules found/);
});

test('promtool test rules: the scan-shaped series fires, the benign ones stay quiet', () => {
  const result = promtool('test', 'rules', 'peng-alerts.test.yml');
  assert.equal(result.status, 0, result.output);
  assert.match(result.output, /SUCCESS/);
});

test('promtool check config accepts the scrape configuration and the rule file it loads', () => {
  const result = promtool('check', 'config', 'prometheus.yml');
  assert.equal(result.status, 0, result.output);
});

test('the dashboard draws the alert thresholds of the rules it sits next to', () => {
  const dashboard = JSON.parse(readFileSync(join(repoRoot, 'examples', 'grafana', 'peng-dashboard.json'), 'utf8')) as {
    panels: { title: string; targets: { expr: string }[]; fieldConfig: { defaults: { thresholds?: { steps: { value: number | null }[] } } } }[];
  };
  const steps = (metric: string) => {
    const panel = dashboard.panels.find((p) => p.targets.some((t) => t.expr.startsWith(metric + '{')));
    assert.ok(panel, `no panel for ${metric}`);
    return panel.fieldConfig.defaults.thresholds!.steps.map((s) => s.value).filter((v) => v !== null);
  };
  assert.deepEqual(steps('peng_server_entropy'), [threshold('PengInboundPortScan'), threshold('PengFullPortRangeScan')]);
  assert.equal(steps('peng_client_entropy')[0], threshold('PengOutboundPortScan'));
});

test('rules and dashboard use only metric names plugin.yaml documents for Prometheus', () => {
  const manifest = parse(readFileSync(join(repoRoot, 'plugin.yaml'), 'utf8')) as { metrics: { prometheus: string }[] };
  const known = new Set(manifest.metrics.map((m) => m.prometheus));
  const dashboard = readFileSync(join(repoRoot, 'examples', 'grafana', 'peng-dashboard.json'), 'utf8');
  const used = new Set([...rules.map((r) => r.expr), dashboard].flatMap((text) => text.match(/\bpeng_[a-z_]+/g) ?? []));
  assert.ok(used.size >= 4);
  for (const name of used) assert.ok(known.has(name), `${name} is not a documented metric`);
});
