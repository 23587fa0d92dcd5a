import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/config/config-error.js';
import { defaultConfig, loadConfig } from '../../src/config/load-config.js';

/** Asserts that loading fails with one actionable line (`<what is wrong>; <what to do>`) matching `pattern`. */
function assertConfigError(argv: string[], pattern: RegExp, env: NodeJS.ProcessEnv = {}): string {
  let caught: unknown;
  try {
    loadConfig(argv, env);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError for ${argv.join(' ')}, got ${String(caught)}`);
  assert.match(caught.message, pattern);
  assert.doesNotMatch(caught.message, /\n/);
  assert.match(caught.message, /; \S/, `no "what to do" part: ${caught.message}`);
  assert.equal(caught.exitCode, 2, 'a usage or configuration error exits with 2');
  return caught.message;
}

test('no arguments give the seed defaults in live mode', () => {
  const config = loadConfig([], {});
  assert.deepEqual(config, defaultConfig());
  assert.equal(config.command, 'live');
  assert.deepEqual(config.replayFiles, []);
  assert.equal(config.timeFrame, 60_000);
  assert.equal(config.bin, 16);
  assert.equal(config.size, 1024);
  assert.equal(config.verbose, 1);
  assert.equal(config.influxUrl, 'http://localhost');
  assert.equal(config.influxPort, 9999);
  assert.equal(config.bufferSize, 4 * 1024 * 1024);
  assert.equal(config.snaplen, 256);
  assert.equal(config.otlpEndpoint, ''); // empty: the OTEL_EXPORTER_OTLP_* variables, else http://localhost:4318
  assert.deepEqual([config.user, config.group], ['nobody', '']);
  assert.deepEqual([config.network, config.localAddresses], [[], []]);
});

test('every flag form of the seed and the usual style is read the same', () => {
  for (const argv of [['-bin', '8'], ['--bin', '8'], ['-bin=8'], ['--bin=8']]) {
    assert.equal(loadConfig(argv, {}).bin, 8, argv.join(' '));
  }
  for (const argv of [['-json'], ['--json'], ['-json=true'], ['--json=true']]) {
    assert.equal(loadConfig(argv, {}).json, true, argv.join(' '));
  }
  assert.equal(loadConfig(['-json', '-json=false'], {}).json, false);
  assert.equal(loadConfig(['-bin', '8', '-bin', '32'], {}).bin, 32, 'the last setting wins, as in Go');
});

test('replay takes one FILE and flags before or after it', () => {
  const config = loadConfig(['-timeFrame', '8s', 'replay', 'scan.pcap', '-size=2048', '-verbose', '3'], {});
  assert.equal(config.command, 'replay');
  assert.deepEqual(config.replayFiles, ['scan.pcap']);
  assert.equal(config.timeFrame, 8000);
  assert.equal(config.size, 2048);
  assert.equal(config.verbose, 3);
  assert.equal(loadConfig(['replay', '--', '-odd-name.pcap'], {}).replayFiles[0], '-odd-name.pcap');
  assert.equal(loadConfig(['live', '-bin', '4'], {}).command, 'live');
});

test('sizes the original crashed on are valid', () => {
  assert.equal(loadConfig(['-size', '65536'], {}).size, 65536);
  const square = loadConfig(['-bin', '1024', '-size', '1024'], {});
  assert.deepEqual([square.bin, square.size], [1024, 1024]);
  assert.deepEqual(Object.values(pick(loadConfig(['-bin', '1', '-size', '1'], {}), 'bin', 'size')), [1, 1]);
});

test('each usage error is one line that names the input and says what to do', () => {
  assertConfigError(['-bin', '0'], /^-bin 0: must be at least 1; /);
  assertConfigError(['-bin', '16', '-size', '1000'], /^-size 1000 is not a multiple of -bin 16; .*992 or 1008/);
  assertConfigError(['-size', '70000'], /^-size 70000: must be at most 65536; /);
  assertConfigError(['-bin', '64', '-size', '32'], /^-size 32 is smaller than -bin 64; /);
  assertConfigError(['-timeFrame', '0s'], /^-timeFrame 0s: 0s is too short, the minimum is 100ms; use a Go-style duration/);
  assertConfigError(['-timeFrame', '99ms'], /too short/);
  assertConfigError(['-timeFrame', '25h'], /too long, the maximum is 24h/);
  assertConfigError(['-timeFrame', 'soon'], /^-timeFrame soon: not a duration; use a Go-style duration such as 500ms/);
  assertConfigError(['-verbose', 'loud'], /^-verbose loud: not a whole number; use a whole number from 0 to 3/);
  assertConfigError(['-verbose', '4'], /^-verbose 4: must be at most 3; /);
  assertConfigError(['-bin', '1.5'], /^-bin 1\.5: not a whole number/);
  assertConfigError(['-influxUrl', 'ftp://example.com'], /^-influxUrl ftp:\/\/example\.com: scheme ftp is not supported; use an http:\/\/ or https:\/\/ URL/);
  assertConfigError(['-influxUrl', 'localhost:8086'], /^-influxUrl localhost:8086: the URL has no scheme; write http:\/\/localhost:8086 /);
  assertConfigError(['-influxUrl', 'not a url'], /^-influxUrl "not a url": not a URL; /);
  assertConfigError(['-otlpEndpoint', 'grpc://collector:4317'], /^-otlpEndpoint .*scheme grpc is not supported/);
  assertConfigError(['-localAddresses', '10.0.0.300'], /^-localAddresses 10\.0\.0\.300: invalid local address "10\.0\.0\.300": not an IPv4 or IPv6 address; use comma-separated/);
  assertConfigError(['-localAddresses', '10.0.0.0/33'], /prefix length must be 0\.\.32/);
  assertConfigError(['-network', 'a/b'], /^-network a\/b: "a\/b" is not a valid interface name; /);
  assertConfigError(['-network', 'averyveryverylongname0'], /not a valid interface name/);
  assertConfigError(['-bufferSize', '1KiB'], /^-bufferSize 1KiB: 1024 bytes is too small; /);
  assertConfigError(['-bufferSize', 'huge'], /^-bufferSize huge: not a byte size; /);
  assertConfigError(['-json=maybe'], /^-json maybe: not a boolean; use true or false/);
  assertConfigError(['-user', 'root;rm'], /^-user "root;rm": not a valid user or group name; /);
});

test('unknown flags are named and answered with --help, and a close flag name is suggested', () => {
  assertConfigError(['-foo'], /^unknown flag -foo; run peng --help for the list of flags$/);
  assertConfigError(['--timeframe', '1m'], /^unknown flag --timeframe; did you mean --timeFrame\? Run peng --help/);
  assertConfigError(['-netwrok', 'eth0'], /did you mean -network\?/);
});

test('flags that need a value say so instead of swallowing the next flag', () => {
  assertConfigError(['-bin'], /^flag -bin needs a value; write -bin N or -bin=N$/);
  assertConfigError(['-export', '-json'], /^flag -export needs a value but is followed by the flag -json; /);
  assertConfigError(['-json', 'false'], /a boolean flag takes its value after '=': -json=false$/);
});

test('replay needs exactly one FILE and live takes none', () => {
  assertConfigError(['replay'], /^peng replay needs a capture FILE; run: peng replay FILE\.\.\. \[flags\] \(files or directories of rotated captures\)$/);
  assert.deepEqual(loadConfig(['replay', 'a.pcap', 'b.pcap'], {}).replayFiles, ['a.pcap', 'b.pcap']);
  assertConfigError(['replay', 'a.pcap', 'a.pcap'], /^peng replay got "?a\.pcap"? twice/);
  assertConfigError(['scan.pcap'], /^unexpected argument scan\.pcap; .*peng replay scan\.pcap$/);
  assertConfigError(['live', 'scan.pcap'], /^unexpected argument scan\.pcap; /);
});

test('json and lineProtocol cannot share stdout', () => {
  assertConfigError(['-json', '-lineProtocol'], /^-json and -lineProtocol both write to stdout; choose one of them$/);
  assertConfigError(['-json'], /^-json and PENG_LINE_PROTOCOL=1 both write to stdout/, { PENG_LINE_PROTOCOL: '1' });
  assert.equal(loadConfig(['-lineProtocol'], {}).lineProtocol, true);
});

test('the InfluxDB settings come complete or not at all, and the token is never echoed', () => {
  const message = assertConfigError(['-bucket', 'peng', '-token', 's3cret-token'], /^the InfluxDB output needs bucket, org and token together: -bucket peng and -token \[hidden\] given, -org missing; set -org \(or PENG_ORG\)/);
  assert.doesNotMatch(message, /s3cret/);
  assertConfigError(['-org', 'lab'], /-bucket and -token missing/);
  const complete = loadConfig(['-bucket', 'b', '-org', 'o', '-token', 't'], {});
  assert.deepEqual(pick(complete, 'bucket', 'org', 'token'), { bucket: 'b', org: 'o', token: 't' });
});

test('a bad environment value names its variable', () => {
  assertConfigError([], /^PENG_TIME_FRAME=soon: not a duration; /, { PENG_TIME_FRAME: 'soon' });
  assertConfigError([], /^PENG_BIN=0: must be at least 1; /, { PENG_BIN: '0' });
  assertConfigError([], /: PENG_TOKEN=\[hidden\] given, -bucket and -org missing; /, { PENG_TOKEN: 'x' });
});

test('the environment sets every option as PENG_<UPPER_SNAKE>, and flags override it', () => {
  const env = {
    PENG_TIME_FRAME: '8s',
    PENG_BIN: '8',
    PENG_SIZE: '2048',
    PENG_VERBOSE: '0',
    PENG_NETWORK: 'eth0, eth1',
    PENG_LOCAL_ADDRESSES: '192.0.2.1,2001:db8::/32',
    PENG_BUFFER_SIZE: '512KiB',
    PENG_JSON: 'yes',
    PENG_USER: '',
    PENG_INFLUX_URL: 'https://influx.example',
    PENG_INFLUX_PORT: '8086',
    HOME: '/root',
    BIN: '99',
  };
  const config = loadConfig([], env);
  assert.equal(config.timeFrame, 8000);
  assert.equal(config.bin, 8);
  assert.equal(config.size, 2048);
  assert.equal(config.verbose, 0);
  assert.deepEqual(config.network, ['eth0', 'eth1']);
  assert.deepEqual(config.localAddresses, ['192.0.2.1', '2001:db8::/32']);
  assert.equal(config.bufferSize, 512 * 1024);
  assert.equal(config.json, true);
  assert.equal(config.user, '');
  assert.equal(config.influxUrl, 'https://influx.example');
  assert.equal(config.influxPort, 8086);
  const flagged = loadConfig(['-bin', '4', '-json=false', '-network', 'lo'], env);
  assert.deepEqual(pick(flagged, 'bin', 'json', 'size'), { bin: 4, json: false, size: 2048 });
  assert.deepEqual(flagged.network, ['lo']);
});

test('a list flag given twice collects both lists', () => {
  const config = loadConfig(['-network', 'eth0,eth1', '--network=eth2', '-localAddresses', '10.0.0.0/8', '-localAddresses', '::1'], {});
  assert.deepEqual(config.network, ['eth0', 'eth1', 'eth2']);
  assert.deepEqual(config.localAddresses, ['10.0.0.0/8', '::1']);
});

test('--help and --version answer even next to bad arguments', () => {
  assert.equal(loadConfig(['-bin', '0', '--help'], {}).help, true);
  assert.equal(loadConfig(['-h'], {}).help, true);
  assert.equal(loadConfig(['-nonsense', '-version'], {}).version, true);
  assert.equal(loadConfig(['-help=false'], {}).help, false);
});

test('-group without a user to switch to is refused instead of silently ignored', () => {
  assertConfigError(['-user=', '-group', 'nogroup'], /^-group nogroup needs a -user to switch to \(other than root\); /);
  assertConfigError(['-user', 'root', '-group', 'nogroup'], /^-group nogroup needs a -user/);
  assert.equal(loadConfig(['-user', 'nobody', '-group', 'nogroup'], {}).group, 'nogroup');
});

function pick<T extends object, K extends keyof T>(value: T, ...keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, value[key]])) as Pick<T, K>;
}
