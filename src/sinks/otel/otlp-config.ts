import { readFileSync } from 'node:fs';
import { redactUrl } from '../../redact-url.js';
import type { CounterTemporality } from './window-metric-producer.js';

/** Where OTLP/HTTP goes when nothing says otherwise (the spec's default). */
export const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';
/** Where OTLP/gRPC goes when nothing says otherwise (the spec's default). */
export const DEFAULT_OTLP_GRPC_ENDPOINT = 'http://localhost:4317';
const METRICS_PATH = 'v1/metrics';

/** The OTLP transports of the spec; `http/protobuf` is its default and Peng's. */
export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';
export const OTLP_PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'grpc', 'http/json'];
export const DEFAULT_OTLP_PROTOCOL: OtlpProtocol = 'http/protobuf';

/** A configuration mistake the user can fix; the CLI maps it to exit code 2. */
export class OtlpConfigError extends Error {
  override readonly name = 'OtlpConfigError';
  /** A bad endpoint or OTEL_* value: the user's to fix. */
  readonly exitCode = 2;
}

function isProtocol(value: string): value is OtlpProtocol {
  return (OTLP_PROTOCOLS as readonly string[]).includes(value);
}

/**
 * The transport of one signal: the flag (`-otlpProtocol`), then OTEL_EXPORTER_OTLP_{METRICS,LOGS}_PROTOCOL,
 * then OTEL_EXPORTER_OTLP_PROTOCOL, then http/protobuf. A bad flag is an error; a bad variable is said and
 * the next one (or the default) is used, as the spec asks of unparseable values.
 */
export function resolveProtocol(
  signal: 'METRICS' | 'LOGS',
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  log?: (message: string) => void,
): OtlpProtocol {
  const flag = explicit?.trim().toLowerCase();
  if (flag) {
    if (isProtocol(flag)) return flag;
    throw new OtlpConfigError(`-otlpProtocol "${explicit}" is not one of ${OTLP_PROTOCOLS.join(', ')}`);
  }
  for (const name of [`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`, 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const value = env[name]?.trim().toLowerCase();
    if (!value) continue;
    if (isProtocol(value)) return value;
    log?.(`${name}="${env[name]}" is not one of ${OTLP_PROTOCOLS.join(', ')}; ignored`);
  }
  return DEFAULT_OTLP_PROTOCOL;
}

/**
 * The metrics URL, by the spec's precedence: an explicit base endpoint (`--otlpEndpoint`, gets `/v1/metrics`),
 * then OTEL_EXPORTER_OTLP_METRICS_ENDPOINT (used as is), then OTEL_EXPORTER_OTLP_ENDPOINT (gets `/v1/metrics`),
 * then http://localhost:4318/v1/metrics. gRPC takes every endpoint as is (no path) and defaults to port 4317.
 */
export function resolveMetricsUrl(endpoint: string | undefined, env: NodeJS.ProcessEnv = process.env, protocol: OtlpProtocol = DEFAULT_OTLP_PROTOCOL): string {
  return resolveSignalUrl('METRICS', METRICS_PATH, endpoint, env, protocol);
}

function resolveSignalUrl(signal: 'METRICS' | 'LOGS', path: string, endpoint: string | undefined, env: NodeJS.ProcessEnv, protocol: OtlpProtocol): string {
  const grpc = protocol === 'grpc';
  const signalVar = `OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`;
  if (endpoint !== undefined && endpoint.trim() !== '') return grpc ? checkedUrl(endpoint.trim(), '--otlpEndpoint').href : withMetricsPath(endpoint.trim(), '--otlpEndpoint', path);
  const specific = env[signalVar]?.trim();
  if (specific) return checkedUrl(specific, signalVar).href;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (base) return grpc ? checkedUrl(base, 'OTEL_EXPORTER_OTLP_ENDPOINT').href : withMetricsPath(base, 'OTEL_EXPORTER_OTLP_ENDPOINT', path);
  return grpc ? DEFAULT_OTLP_GRPC_ENDPOINT + '/' : withMetricsPath(DEFAULT_OTLP_ENDPOINT, 'default', path);
}

/**
 * Sum temporality from OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE; unset means cumulative (the spec's
 * default, and the only one Prometheus' OTLP receiver takes for sums). Peng's sums are made of per-window
 * increments, like a synchronous counter's, so `lowmemory` (delta for synchronous counters) means delta.
 */
export function resolveTemporality(
  env: NodeJS.ProcessEnv = process.env,
  log?: (message: string) => void,
): CounterTemporality {
  const raw = env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'cumulative') return 'cumulative';
  if (raw === 'delta' || raw === 'lowmemory') return 'delta';
  log?.(`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE="${raw}" is not cumulative, delta or lowmemory; using cumulative`);
  return 'cumulative';
}

function withMetricsPath(base: string, source: string, path: string = METRICS_PATH): string {
  const url = checkedUrl(base, source);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.pathname += path;
  return url.href;
}

/** The logs URL (scan events), by the same precedence as the metrics URL with the LOGS variables and `v1/logs`. */
export function resolveLogsUrl(endpoint: string | undefined, env: NodeJS.ProcessEnv = process.env, protocol: OtlpProtocol = DEFAULT_OTLP_PROTOCOL): string {
  return resolveSignalUrl('LOGS', 'v1/logs', endpoint, env, protocol);
}

function checkedUrl(text: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OtlpConfigError(`OTLP endpoint "${redactUrl(text)}" (${source}) is not a URL; give a base URL such as ${DEFAULT_OTLP_ENDPOINT}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OtlpConfigError(`OTLP endpoint "${redactUrl(text)}" (${source}) must use http or https, not ${url.protocol}; give a base URL such as ${DEFAULT_OTLP_ENDPOINT}`);
  }
  return url;
}

/** What the OTEL_EXPORTER_OTLP_* variables say about the request itself (the URL is resolved above). */
export interface OtlpHttpSettings {
  headers: Record<string, string>;
  /** Per request, when OTEL_EXPORTER_OTLP_(METRICS_)TIMEOUT gives one. */
  timeoutMillis?: number;
  gzip: boolean;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
}

/**
 * Headers (OTEL_EXPORTER_OTLP_HEADERS, then ..._METRICS_HEADERS on top, percent-decoded), timeout, gzip
 * compression and TLS files, each by the spec's signal-specific-first rule. A bad value is said once and ignored.
 */
export function resolveHttpSettings(env: NodeJS.ProcessEnv, log: (message: string) => void): OtlpHttpSettings {
  const pick = (suffix: string): [string, string] | undefined => {
    for (const name of [`OTEL_EXPORTER_OTLP_METRICS_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`]) {
      const value = env[name]?.trim();
      if (value) return [name, value];
    }
    return undefined;
  };
  const headers = { ...parseHeaders(env.OTEL_EXPORTER_OTLP_HEADERS, log), ...parseHeaders(env.OTEL_EXPORTER_OTLP_METRICS_HEADERS, log) };
  const settings: OtlpHttpSettings = { headers, gzip: false };
  const timeout = pick('TIMEOUT');
  if (timeout) {
    const ms = Number(timeout[1]);
    if (Number.isInteger(ms) && ms > 0) settings.timeoutMillis = ms;
    else log(`${timeout[0]}="${timeout[1]}" is not a positive number of milliseconds; using the default`);
  }
  const compression = pick('COMPRESSION');
  if (compression && compression[1] === 'gzip') settings.gzip = true;
  else if (compression && compression[1] !== 'none') log(`${compression[0]}="${compression[1]}" is not gzip or none; sending uncompressed`);
  const tls: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  for (const [suffix, key] of [['CERTIFICATE', 'ca'], ['CLIENT_CERTIFICATE', 'cert'], ['CLIENT_KEY', 'key']] as const) {
    const file = pick(suffix);
    if (!file) continue;
    try {
      tls[key] = readFileSync(file[1]);
    } catch (error) {
      throw new OtlpConfigError(`${file[0]}: cannot read "${file[1]}" (${(error as NodeJS.ErrnoException).code ?? String(error)}); give a readable PEM file`);
    }
  }
  if (Object.keys(tls).length > 0) settings.tls = tls;
  return settings;
}

/** `key=value,key2=value2`, percent-encoded, as in the spec; a malformed entry is skipped and said. */
function parseHeaders(raw: string | undefined, log: (message: string) => void): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const entry of (raw ?? '').split(',')) {
    if (entry.trim() === '') continue;
    const at = entry.indexOf('=');
    try {
      const key = at > 0 ? decodeURIComponent(entry.slice(0, at).trim()) : '';
      if (key === '') throw new Error('no key');
      headers[key] = decodeURIComponent(entry.slice(at + 1).trim());
    } catch {
      log(`OTLP header "${entry}" ignored: not key=value with percent-encoding`);
    }
  }
  return headers;
}
