import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load-config.js';
import { repoRoot } from '../../support/paths.js';

const read = (...path: string[]) => readFileSync(join(repoRoot, 'examples', ...path), 'utf8');

/** `command = [...]` of a Telegraf TOML file (its string arrays are JSON arrays). */
function execdCommand(toml: string): string[] {
  const match = /^\s*command\s*=\s*(\[.*\])\s*$/m.exec(toml);
  assert.ok(match, 'no command = [...] line');
  return JSON.parse(match[1]!) as string[];
}

/** `key = "value"` of a Telegraf TOML file. */
function setting(toml: string, key: string): string | undefined {
  return new RegExp(`^\\s*${key}\\s*=\\s*"([^"]*)"`, 'm').exec(toml)?.[1];
}

for (const file of ['peng.conf', 'telegraf.conf']) {
  test(`telegraf/${file}: Peng's command parses, writes line protocol and nothing else on stdout, on the default route's interface`, () => {
    const toml = read('telegraf', file);
    const command = execdCommand(toml);
    const config = loadConfig(command.slice(1), {});
    assert.equal(config.lineProtocol, true);
    assert.equal(config.json, false);
    assert.equal(config.verbose, 0);
    // A fixed -network eth0 fails, and execd restarts it forever, on ens*/enp* hosts.
    assert.deepEqual(config.network, []);
    assert.equal(setting(toml, 'signal'), 'none');
    assert.equal(setting(toml, 'data_format'), 'influx');
  });
}

test("telegraf/README.md's Configuration block is peng.conf, word for word; no file takes the shim's plugin.conf name", () => {
  const readme = read('telegraf', 'README.md');
  const block = /```toml @peng\.conf\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'no ```toml @peng.conf block');
  assert.equal(block[1], read('telegraf', 'peng.conf'));
  assert.ok(!existsSync(join(repoRoot, 'examples', 'telegraf', 'plugin.conf')));
  for (const section of ['## Configuration', '## Metrics', '## Example Output']) assert.ok(readme.includes(section), section);
});

test('telegraf.service.d/peng-capture.conf grants the two capabilities as ambient ones, and the README installs it instead of setcap', () => {
  const dropIn = read('telegraf', 'telegraf.service.d', 'peng-capture.conf');
  const settings = dropIn.split('\n').filter((l) => /^[A-Z]\w*=/.test(l));
  assert.deepEqual(settings, ['AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN']);
  assert.match(dropIn, /^\[Service\]$/m);
  const readme = read('telegraf', 'README.md');
  assert.match(readme, /cp telegraf\.service\.d\/peng-capture\.conf \/etc\/systemd\/system\/telegraf\.service\.d\//);
  assert.doesNotMatch(readme, /^sudo setcap/m);
});

test("telegraf/README.md's example lines are the format the serializer writes", () => {
  const lines = /## Example Output[\s\S]*?```text\n([\s\S]*?)```/.exec(read('telegraf', 'README.md'))![1]!.trim().split('\n');
  const shape = /^peng,host=[^ ,]+,interface=[^ ,]+ client_entropy=[\d.e-]+,server_entropy=[\d.e-]+,client_syn_packets=\d+i,server_syn_packets=\d+i \d{19}$/;
  for (const line of lines) assert.match(line, shape);
});

test('otel-collector/config.yaml: OTLP/HTTP on Peng\'s default endpoint, to Prometheus and debug', () => {
  const config = parse(read('otel-collector', 'config.yaml')) as {
    receivers: { otlp: { protocols: { http: { endpoint: string } } } };
    exporters: { prometheus: { endpoint: string; add_metric_suffixes?: boolean; resource_to_telemetry_conversion: { enabled: boolean } }; debug: object };
    service: { pipelines: { metrics: { receivers: string[]; exporters: string[] } } };
  };
  // Peng's exporter falls back to http://localhost:4318 (OTLP/HTTP's default) when no endpoint is set.
  assert.equal(config.receivers.otlp.protocols.http.endpoint, 'localhost:4318');
  assert.deepEqual(config.service.pipelines.metrics.receivers, ['otlp']);
  assert.deepEqual(config.service.pipelines.metrics.exporters, ['prometheus', 'debug']);
  // Names and labels the alert rules rely on: peng_server_entropy{host_name, network_interface_name}, with the
  // default suffixes (units are annotations, dropped; counters get _total): the deprecated switch is not needed.
  assert.equal(config.exporters.prometheus.add_metric_suffixes, undefined);
  assert.equal(config.exporters.prometheus.resource_to_telemetry_conversion.enabled, true);
  const scrape = parse(read('prometheus', 'prometheus.yml')) as { scrape_configs: { static_configs: { targets: string[] }[] }[] };
  assert.equal(scrape.scrape_configs[0]!.static_configs[0]!.targets[0], config.exporters.prometheus.endpoint);
});
