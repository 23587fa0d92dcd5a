import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OtlpConfigError, resolveLogsUrl, resolveMetricsUrl, resolveProtocol, resolveTemporality } from '../../../src/sinks/otel/otlp-config.js';
import { createPengResource, parseResourceAttributes, pengResourceAttributes, serviceInstanceId, uuidV5 } from '../../../src/sinks/otel/resource.js';
import { repoRoot } from '../../../support/paths.js';

test('metrics URL: explicit endpoint, then the metrics variable as is, then the base variable, then the default', () => {
  const env = {
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://metrics.example:4318/custom/path',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base.example:4318/prefix',
  };
  assert.equal(resolveMetricsUrl('http://127.0.0.1:9999', env), 'http://127.0.0.1:9999/v1/metrics');
  assert.equal(resolveMetricsUrl(undefined, env), 'http://metrics.example:4318/custom/path');
  assert.equal(resolveMetricsUrl(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: env.OTEL_EXPORTER_OTLP_ENDPOINT }), 'http://base.example:4318/prefix/v1/metrics');
  assert.equal(resolveMetricsUrl(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://base.example/' }), 'https://base.example/v1/metrics');
  assert.equal(resolveMetricsUrl(undefined, {}), 'http://localhost:4318/v1/metrics');
  assert.equal(resolveMetricsUrl('  ', {}), 'http://localhost:4318/v1/metrics');
});

test('a bad endpoint is a configuration error naming where it came from', () => {
  assert.throws(() => resolveMetricsUrl('localhost:4318:x', {}), OtlpConfigError);
  assert.throws(() => resolveMetricsUrl('not a url', {}), /"not a url" \(--otlpEndpoint\) is not a URL/);
  assert.throws(() => resolveMetricsUrl(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://x' }), /OTEL_EXPORTER_OTLP_ENDPOINT.*http or https/);
});

test('sum temporality follows OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE, cumulative by default', () => {
  const logged: string[] = [];
  const log = (m: string): void => void logged.push(m);
  assert.equal(resolveTemporality({}, log), 'cumulative');
  assert.equal(resolveTemporality({ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'Cumulative' }, log), 'cumulative');
  assert.equal(resolveTemporality({ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'lowmemory' }, log), 'delta');
  assert.equal(resolveTemporality({ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta' }, log), 'delta');
  assert.deepEqual(logged, []);
  assert.equal(resolveTemporality({ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'weekly' }, log), 'cumulative');
  assert.match(logged[0], /"weekly" is not cumulative, delta or lowmemory/);
});

test('protocol: the flag, then the signal variable, then the general one, then http/protobuf; gRPC endpoints have no path and default to 4317', () => {
  const logged: string[] = [];
  const log = (m: string): void => void logged.push(m);
  assert.equal(resolveProtocol('METRICS', undefined, {}, log), 'http/protobuf');
  assert.equal(resolveProtocol('METRICS', undefined, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, log), 'grpc');
  assert.equal(resolveProtocol('METRICS', undefined, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json' }, log), 'http/json');
  assert.equal(resolveProtocol('LOGS', undefined, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json' }, log), 'grpc');
  assert.equal(resolveProtocol('METRICS', 'grpc', { OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json' }, log), 'grpc');
  assert.deepEqual(logged, []);
  assert.equal(resolveProtocol('METRICS', undefined, { OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift' }, log), 'http/protobuf');
  assert.match(logged[0], /OTEL_EXPORTER_OTLP_PROTOCOL="thrift" is not one of http\/protobuf, grpc, http\/json/);
  assert.throws(() => resolveProtocol('METRICS', 'udp', {}), OtlpConfigError);
  assert.equal(resolveMetricsUrl(undefined, {}, 'grpc'), 'http://localhost:4317/');
  assert.equal(resolveLogsUrl(undefined, {}, 'grpc'), 'http://localhost:4317/');
  assert.equal(resolveMetricsUrl('http://collector:5317', {}, 'grpc'), 'http://collector:5317/');
  assert.equal(resolveMetricsUrl(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector:4317' }, 'grpc'), 'https://collector:4317/');
  assert.equal(resolveLogsUrl(undefined, {}, 'http/protobuf'), 'http://localhost:4318/v1/logs');
});

test('resource: service.name=peng, version from package.json, a stable UUIDv5 instance id per machine and instance key', () => {
  const attributes = pengResourceAttributes({}, undefined, 'live:eth0');
  const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  assert.equal(attributes['service.name'], 'peng');
  assert.equal(attributes['service.version'], version);
  assert.match(String(attributes['service.instance.id']), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(pengResourceAttributes({}, undefined, 'live:eth0')['service.instance.id'], attributes['service.instance.id'], 'the same after a restart');
  assert.notEqual(pengResourceAttributes({}, undefined, 'live:eth1')['service.instance.id'], attributes['service.instance.id'], 'another Peng on the host');
  // Python's uuid.uuid5 as the oracle: RFC's DNS namespace, and the semconv namespace with a machine id.
  assert.equal(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), '886313e1-3b8a-5372-9b90-0c9aee199e5d');
  assert.equal(serviceInstanceId('live:eth0', '3d1219c7c4c5404aaa1f6d2a48adfda4'), 'bd5b75dd-0581-5d84-93a5-9d7fdfdc2d28');
});

test('resource detectors: host.name, host.id (the machine id), host.arch, os.type, process.pid; never the command line', async () => {
  const resource = createPengResource({}, undefined, 'replay:/tmp/x.pcap');
  await resource.waitForAsyncAttributes?.();
  const attributes = resource.attributes;
  assert.equal(attributes['host.name'], hostname());
  let machine = '';
  try {
    machine = readFileSync('/etc/machine-id', 'utf8').trim();
  } catch {
    // no machine id here: host.id may be absent
  }
  if (machine) assert.equal(attributes['host.id'], machine);
  assert.ok(attributes['host.arch']);
  assert.equal(attributes['os.type'], 'linux');
  assert.equal(attributes['process.pid'], process.pid);
  assert.equal(attributes['process.command_args'], undefined, 'a -token on the command line must not travel');
  assert.equal(attributes['process.command_line'], undefined);
  assert.equal(attributes['service.name'], 'peng');
  assert.equal(attributes['telemetry.sdk.language'], 'nodejs');
});

test('OTEL_RESOURCE_ATTRIBUTES adds and overrides; OTEL_SERVICE_NAME wins over both', () => {
  const env = { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=lab, service.name=edge ,site=a%2Cb%3Dc' };
  const attributes = pengResourceAttributes(env);
  assert.equal(attributes['deployment.environment.name'], 'lab');
  assert.equal(attributes['service.name'], 'edge');
  assert.equal(attributes['site'], 'a,b=c');
  assert.equal(pengResourceAttributes({ ...env, OTEL_SERVICE_NAME: 'peng-dmz' })['service.name'], 'peng-dmz');
});

test('a malformed OTEL_RESOURCE_ATTRIBUTES is discarded whole with a message naming the entry', () => {
  assert.deepEqual(parseResourceAttributes('a=1,b=2=3').attributes, {});
  assert.match(String(parseResourceAttributes('a=1,b=2=3').error), /"b=2=3" is not key=value/);
  assert.match(String(parseResourceAttributes('a=%zz').error), /percent-encoding/);
  assert.match(String(parseResourceAttributes('=x').error), /not key=value/);
  assert.deepEqual(parseResourceAttributes(' , a = 1 ,').attributes, { a: '1' });
  const logged: string[] = [];
  const attributes = pengResourceAttributes({ OTEL_RESOURCE_ATTRIBUTES: 'oops' }, (m) => logged.push(m));
  assert.equal(attributes['service.name'], 'peng');
  assert.equal(logged.length, 1);
});
