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

function withMetricsPath(base: string, source: string): string {
  const url = checkedUrl(base, source);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.pathname += METRICS_PATH;
  return url.href;
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
