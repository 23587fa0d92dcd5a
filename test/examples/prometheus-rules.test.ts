import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../../support/paths.js';

const dir = join(repoRoot, 'examples', 'prometheus');

function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}${result.error?.message ?? ''}` };
}

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: { severity: string };
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

test('promtool check rules accepts the rules', () => {
  const result = promtool('check', 'rules', 'peng-alerts.yml');
  assert.equal(result.status, 0, result.output);
  assert.match(result.output, new RegExp(`SUCCESS: ${rules.length} rules found`));
});

test("vmalert (VictoriaMetrics' MetricsQL) accepts the rules and their templates", () => {
  const result = spawnSync('vmalert', ['-dryRun', '-rule', join(dir, 'peng-alerts.yml'), '-loggerLevel=ERROR'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
});

test('promtool test rules: both label shapes fire with host and interface named, benign series stay quiet, absence alerts at 20 min, 70 min and 24 h', () => {
  const result = promtool('test', 'rules', 'peng-alerts.test.yml');
  assert.equal(result.status, 0, result.output);
  assert.match(result.output, /SUCCESS/);
});

test('every alert reads only the normalised records: no alert groups by host_name or network_interface_name', () => {
  for (const rule of rules.filter((r) => r.alert !== undefined)) {
    assert.doesNotMatch(rule.expr, /host_name|network_interface_name/, rule.alert);
    assert.doesNotMatch(JSON.stringify(rule), /\$labels\.(host_name|network_interface_name)/, rule.alert);
  }
});

/**
 * Fifty hosts of each shape: 203.0.113.5 sweeps them, ten Telegraf hosts (peng_scan_probes) and ten OTel
 * hosts (peng_server_scanners) a minute for five minutes; 198.51.100.20 scans two hosts only.
 */
function fleetTest(): string {
  const series: string[] = [];
  const add = (name: string, labels: string, values: string) => series.push(`      - series: '${name}{${labels}}'\n        values: '${values}'`);
  for (let i = 0; i < 50; i++) {
    const minute = Math.floor(i / 10);
    // Four samples (15 s apart) before the sweep reaches the host, its minute, then gone (Telegraf expires it).
    const during = (value: number) => `${minute === 0 ? '' : `_x${minute * 4 - 1} `}${value}x3 stale`;
    const t = `host="t${String(i).padStart(2, '0')}",interface="eth0"`;
    add('peng_server_entropy', `job="telegraf",${t}`, '0.03x40');
    add('peng_scan_probes', `job="telegraf",${t},direction="server",source="203.0.113.5"`, during(12));
    const o = `host_name="o${String(i).padStart(2, '0')}",network_interface_name="ens3"`;
    add('peng_server_entropy', `job="peng",${o}`, '0.03x40');
    add('peng_server_scanners', `job="peng",${o}`, `${minute === 0 ? '' : `0x${minute * 4 - 1} `}1x3 0x${40 - minute * 4 - 4}`);
  }
  for (const host of ['t00', 't01']) add('peng_scan_probes', `job="telegraf",host="${host}",interface="eth0",direction="server",source="198.51.100.20"`, '8x3 stale');
  const alert = (at: string, name: string, expected: string) => `      - eval_time: ${at}\n        alertname: ${name}\n        exp_alerts:${expected}`;
  const one = (labels: string, summary: string) => `\n          - exp_labels: { ${labels} }\n            exp_annotations:\n              summary: '${summary}'`;
  const hostsUnderScan = (n: number) =>
    one('severity: critical', `${n} hosts are under scan at once`) +
    `\n              description: '${n} hosts report high port entropy or a named scanner in the same window: a sweep across the network.'`;
  const sourceSeen = (n: number) =>
    one('severity: critical, source: 203.0.113.5', `203.0.113.5 scanned ${n} hosts`) + `\n              description: '${n} hosts named 203.0.113.5 as a scanner within 15 minutes.'`;
  return [
    `rule_files:\n  - ${join(dir, 'peng-alerts.yml')}`,
    'evaluation_interval: 15s',
    'group_eval_order: [peng-normalise, peng]',
    'tests:',
    '  - interval: 15s',
    '    input_series:',
    ...series,
    '    alert_rule_test:',
    // In the sweep's second minute: its ten Telegraf and ten OTel hosts are under scan, the first ten are done.
    alert('1m30s', 'PengHostsUnderScan', hostsUnderScan(20)),
    // 203.0.113.5 named by the first twenty Telegraf hosts so far; 198.51.100.20 by two, under the threshold.
    alert('1m30s', 'PengSourceSeenByManyHosts', sourceSeen(20)),
    alert('5m30s', 'PengSourceSeenByManyHosts', sourceSeen(50)),
    alert('5m30s', 'PengHostsUnderScan', ' []'),
    // The sweep ended at 5 minutes; the source alert holds while the 15-minute window still sees it.
    alert('21m', 'PengSourceSeenByManyHosts', ' []'),
    '',
  ].join('\n');
}

test('fleet rules over fifty hosts of each shape: hosts under scan at once, and one source seen by many hosts', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'peng-fleet-'));
  try {
    writeFileSync(join(tmp, 'fleet.test.yml'), fleetTest());
    const result = spawnSync('promtool', ['test', 'rules', join(tmp, 'fleet.test.yml')], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('promtool check config accepts the scrape configuration and the rule file it loads', () => {
  const result = promtool('check', 'config', 'prometheus.yml');
  assert.equal(result.status, 0, result.output);
});

test('the dashboard draws the alert thresholds of the rules it sits next to', () => {
  const dashboard = JSON.parse(readFileSync(join(repoRoot, 'examples', 'grafana', 'peng-dashboard.json'), 'utf8')) as {
    panels: { title: string; targets?: { expr: string }[]; fieldConfig?: { defaults: { thresholds?: { steps: { value: number | null }[] } } } }[];
  };
  const steps = (metric: string) => {
    // The time-series panel (the heatmap reads the same record but draws no thresholds).
    const panel = dashboard.panels.find((p) => p.fieldConfig?.defaults.thresholds && (p.targets ?? []).some((t) => t.expr.startsWith(metric + '{')));
    assert.ok(panel, `no panel for ${metric}`);
    return panel.fieldConfig!.defaults.thresholds!.steps.map((s) => s.value).filter((v) => v !== null);
  };
  assert.deepEqual(steps('host_interface:peng_server_entropy:max'), [threshold('PengInboundPortScan'), threshold('PengFullPortRangeScan')]);
  assert.equal(steps('host_interface:peng_client_entropy:max')[0], threshold('PengOutboundPortScan'));
});

/**
 * Prometheus names Telegraf's prometheus_client output gives the line-protocol samples in the README's
 * Outputs section: measurement_field for each numeric field (string fields such as reason are dropped).
 */
function telegrafNames(): Set<string> {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const names = new Set<string>();
  for (const line of readme.split('\n').filter((l) => /^peng(_\w+)?,\S+ .+ \d{19}$/.test(l))) {
    const measurement = line.split(',')[0]!;
    const fields = line.slice(line.indexOf(' ') + 1, line.lastIndexOf(' '));
    for (const [, key, value] of fields.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|[^,]+)/g)) {
      if (!value!.startsWith('"')) names.add(`${measurement}_${key!}`);
    }
  }
  return names;
}

// The OTel exporter's active-scanner gauges per direction (being added to plugin.yaml with that exporter).
const OTEL_SCANNER_GAUGES = ['peng_server_scanners', 'peng_client_scanners'];

test('rules and dashboard use only metric names plugin.yaml documents for Prometheus, the scanner gauges, Telegraf\'s names of the documented lines, and the rules\' own records', () => {
  const manifest = parse(readFileSync(join(repoRoot, 'plugin.yaml'), 'utf8')) as { peng_metric_names: Record<string, { prometheus: string }> };
  const telegraf = telegrafNames();
  assert.ok(telegraf.has('peng_scan_probes') && telegraf.has('peng_probes_syn') && telegraf.has('peng_server_entropy'), [...telegraf].join(' '));
  const known = new Set([...Object.values(manifest.peng_metric_names).map((m) => m.prometheus), ...OTEL_SCANNER_GAUGES, ...telegraf]);
  const records = new Set(rules.flatMap((r) => (r.record === undefined ? [] : [r.record])));
  // The dashboard's queries: panel targets, variable definitions and the annotation's target.
  const dashboardJson = JSON.parse(readFileSync(join(repoRoot, 'examples', 'grafana', 'peng-dashboard.json'), 'utf8')) as {
    panels: { targets?: { expr: string }[] }[];
    templating: { list: { definition?: string }[] };
    annotations: { list: { target?: { expr?: string } }[] };
  };
  const dashboard = [
    ...dashboardJson.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
    ...dashboardJson.templating.list.map((v) => v.definition ?? ''),
    ...dashboardJson.annotations.list.map((a) => a.target?.expr ?? ''),
  ].join('\n');
  // Record names (level:metric:operation) are checked whole; bare names must be metrics.
  const used = [...rules.map((r) => r.expr), dashboard].flatMap((text) => text.match(/[\w:]*\bpeng_[a-z_]+[\w:]*/g) ?? []);
  assert.ok(used.length >= 4);
  for (const name of used) assert.ok(name.includes(':') ? records.has(name) : known.has(name), `${name} is neither a documented metric nor a record`);
});
