import { readFileSync } from 'node:fs';
import { redactUrl } from '../../redact-url.js';
import type { CounterTemporality } from './window-metric-producer.js';

/** Where OTLP/HTTP metrics go when nothing says otherwise (the spec's default). */
export const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';
const METRICS_PATH = 'v1/metrics';

/** A configuration mistake the user can fix; the CLI maps it to exit code 2. */
export class OtlpConfigError extends Error {
  override readonly name = 'OtlpConfigError';
  /** A bad endpoint or OTEL_* value: the user's to fix. */
  readonly exitCode = 2;
}

/**
 * The metrics URL, by the spec's precedence: an explicit base endpoint (`--otlpEndpoint`, gets `/v1/metrics`),
 * then OTEL_EXPORTER_OTLP_METRICS_ENDPOINT (used as is), then OTEL_EXPORTER_OTLP_ENDPOINT (gets `/v1/metrics`),
 * then http://localhost:4318/v1/metrics.
 */
export function resolveMetricsUrl(endpoint: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (endpoint !== undefined && endpoint.trim() !== '') return withMetricsPath(endpoint.trim(), '--otlpEndpoint');
  const signal = env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT?.trim();
  if (signal) return checkedUrl(signal, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT').href;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (base) return withMetricsPath(base, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  return withMetricsPath(DEFAULT_OTLP_ENDPOINT, 'default');
}

/** Counter temporality from OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE; unset means delta (window counts). */
export function resolveTemporality(
  env: NodeJS.ProcessEnv = process.env,
  log?: (message: string) => void,
): CounterTemporality {
  const raw = env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'delta') return 'delta';
  // Peng's counters are observable counters, which the spec's `lowmemory` keeps cumulative.
  if (raw === 'cumulative' || raw === 'lowmemory') return 'cumulative';
  log?.(`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE="${raw}" is not delta, cumulative or lowmemory; using delta`);
  return 'delta';
}

/** A notice when OTEL_EXPORTER_OTLP_(METRICS_)PROTOCOL asks for something other than the http/json Peng sends. */
export function protocolNotice(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const name = env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL ? 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = env[name]?.trim();
  if (!protocol || protocol === 'http/json') return undefined;
  return `${name}=${protocol} ignored: Peng sends OTLP over HTTP as JSON (http/json), which the Collector's otlp receiver accepts on port 4318`;
}

function withMetricsPath(base: string, source: string, path: string = METRICS_PATH): string {
  const url = checkedUrl(base, source);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.pathname += path;
  return url.href;
}

/** The logs URL (scan events), by the same precedence as the metrics URL with the LOGS variables and `v1/logs`. */
export function resolveLogsUrl(endpoint: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (endpoint !== undefined && endpoint.trim() !== '') return withMetricsPath(endpoint.trim(), '--otlpEndpoint', 'v1/logs');
  const signal = env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT?.trim();
  if (signal) return checkedUrl(signal, 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT').href;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (base) return withMetricsPath(base, 'OTEL_EXPORTER_OTLP_ENDPOINT', 'v1/logs');
  return withMetricsPath(DEFAULT_OTLP_ENDPOINT, 'default', 'v1/logs');
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
