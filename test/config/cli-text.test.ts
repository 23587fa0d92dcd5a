// Command-line text that deploy tools and hurried typing run into: mistyped commands, URLs without a
// scheme, and environment variables named like Peng's actions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config-error.js';
import { helpText } from '../../src/config/help.js';
import { loadConfig } from '../../src/config/load-config.js';
import { EtherType, TcpFlags, ethernetFrame, ipv4Packet, tcpSegment } from '../../support/frames.js';
import { writePcap } from '../../support/capture-writers.js';
import { runPeng } from '../support/run-peng.js';

function configError(argv: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    loadConfig(argv, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  assert.fail(`no error for ${argv.join(' ')}`);
}

test('a mistyped command suggests the command with the arguments given, not a replay of the typo', () => {
  assert.equal(configError(['repaly', 'f.pcap']), 'unknown command repaly; did you mean: peng replay f.pcap');
  assert.equal(configError(['replya', 'scan.pcap.gz', '-json']), 'unknown command replya; did you mean: peng replay scan.pcap.gz');
  assert.equal(configError(['lvie']), 'unknown command lvie; did you mean: peng live');
  // A lone capture file is still read as a file: the hint is to replay it.
  assert.match(configError(['scan.pcap']), /^unexpected argument scan\.pcap; .*peng replay scan\.pcap$/);
  assert.match(configError(['replay.pcap']), /peng replay replay\.pcap$/);
});

test('an endpoint without a scheme suggests the http:// URL instead of reading the host as a scheme', () => {
  assert.equal(configError(['-otlp', '-otlpEndpoint', 'localhost:4318']), '-otlpEndpoint localhost:4318: the URL has no scheme; write http://localhost:4318 (or https://localhost:4318)');
  assert.match(configError(['-otlp', '-otlpEndpoint', 'collector.internal:4318/v1/metrics']), /write http:\/\/collector\.internal:4318\/v1\/metrics /);
  assert.match(configError(['-otlp'], { PENG_OTLP_ENDPOINT: '[::1]:4318' }), /^PENG_OTLP_ENDPOINT=.*no scheme; write http:\/\/\[::1\]:4318/);
  assert.match(configError(['-influxUrl', 'influx:8086']), /no scheme; write http:\/\/influx:8086/);
  // A real other scheme is still named as such.
  assert.match(configError(['-otlpEndpoint', 'grpc://collector:4317']), /scheme grpc is not supported/);
  assert.equal(loadConfig(['-otlp', '-otlpEndpoint', 'http://localhost:4318'], {}).otlpEndpoint, 'http://localhost:4318');
});

test('help, version and interfaces come from the command line only: their PENG_* names are ignored', () => {
  const env = { PENG_VERSION: '0.1.0', PENG_HELP: 'true', PENG_INTERFACES: 'yes' };
  const config = loadConfig(['-timeFrame', '1s'], env);
  assert.equal(config.version, false);
  assert.equal(config.help, false);
  assert.equal(config.interfaces, false);
  assert.equal(config.timeFrame, 1000);
  assert.equal(loadConfig(['-version'], env).version, true);
  const help = helpText().replace(/\s+/g, ' ');
  for (const action of ['help', 'version', 'interfaces']) assert.match(help, new RegExp(`-${action}.*?\\(command line only, default false\\)`));
  assert.doesNotMatch(help, /PENG_(HELP|VERSION|INTERFACES)\b/);
});

test('the CLI with PENG_VERSION=0.1.0 and PENG_HELP=true in its environment runs its replay as asked', () => {
  const dir = mkdtempSync(join(tmpdir(), 'peng-cli-text-'));
  try {
    const file = join(dir, 'syns.pcap');
    const syn = (port: number) =>
      ethernetFrame(EtherType.IPv4, ipv4Packet({ src: '198.51.100.7', dst: '192.0.2.1' }, tcpSegment({ srcPort: 40000, dstPort: port, flags: TcpFlags.SYN })));
    writePcap(file, 1, [syn(22), syn(80), syn(443)]);
    const result = runPeng(['replay', file, '-json', '-verbose', '0', '-localAddresses', '192.0.2.1'], { env: { PENG_VERSION: '0.1.0', PENG_HELP: 'true' } });
    assert.equal(result.code, 0, result.stderr);
    const windows = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { server: { synPackets: number } });
    assert.equal(windows.reduce((n, w) => n + w.server.synPackets, 0), 3);
    assert.doesNotMatch(result.stdout + result.stderr, /Usage:/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
