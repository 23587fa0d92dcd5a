import type { Sink } from '../sink.js';
import { OtlpConfigError } from './otlp-config.js';
import type { OtlpSinkOptions } from './otlp-sink-types.js';

export type MetricsExporterName = 'otlp' | 'prometheus' | 'console' | 'none';
export type LogsExporterName = 'otlp' | 'console' | 'none';

export interface OtelExporters {
  /** OTEL_SDK_DISABLED=true: nothing at all. */
  disabled: boolean;
  metrics: MetricsExporterName;
  logs: LogsExporterName;
}

const METRICS_EXPORTERS: readonly MetricsExporterName[] = ['otlp', 'prometheus', 'console', 'none'];
const LOGS_EXPORTERS: readonly LogsExporterName[] = ['otlp', 'console', 'none'];

/**
 * The exporters by the spec's variables: OTEL_SDK_DISABLED, OTEL_METRICS_EXPORTER (otlp, prometheus,
 * console, none) and OTEL_LOGS_EXPORTER (otlp, console, none; the scan events). A list takes its first
 * entry Peng knows (Peng exports each signal once); an unknown one is said and skipped. `-prometheusPort`
 * asks for prometheus when OTEL_METRICS_EXPORTER is unset.
 */
export function resolveExporters(env: NodeJS.ProcessEnv, prometheusPort: number | undefined, log?: (message: string) => void): OtelExporters {
  const disabled = env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';
  const pick = <T extends string>(name: string, known: readonly T[], fallback: T): T => {
    const raw = env[name]?.trim().toLowerCase();
    if (!raw) return fallback;
    const entries = raw.split(',').map((e) => e.trim()).filter((e) => e !== '');
    const unknown = entries.filter((e) => !(known as readonly string[]).includes(e));
    if (unknown.length > 0) log?.(`${name}: ${unknown.join(', ')} not supported (use ${known.join(', ')}); ignored`);
    const chosen = entries.find((e): e is T => (known as readonly string[]).includes(e));
    if (entries.filter((e) => e !== 'none' && (known as readonly string[]).includes(e)).length > 1) log?.(`${name}=${raw}: Peng uses only ${chosen}`);
    return chosen ?? fallback;
  };
  const metrics = pick('OTEL_METRICS_EXPORTER', METRICS_EXPORTERS, prometheusPort ? 'prometheus' : 'otlp');
  const logs = pick('OTEL_LOGS_EXPORTER', LOGS_EXPORTERS, 'otlp');
  return { disabled, metrics, logs };
}

export interface OtelOutputOptions extends OtlpSinkOptions {
  /** `-prometheusPort`: 0 or undefined lets OTEL_EXPORTER_PROMETHEUS_PORT decide (else 9464). */
  prometheusPort?: number;
}

/**
 * The OpenTelemetry output of `-otlp`: nothing when the SDK is disabled or both signals are `none`; the OTLP
 * sink for OTLP or console; with `prometheus`, a pull endpoint for the metrics and the OTLP sink for the
 * scan events only. The Prometheus exporter package is loaded only then.
 */
export async function createOtelOutput(options: OtelOutputOptions): Promise<Sink[]> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((message: string) => process.stderr.write(`peng: ${message}\n`));
  const exporters = resolveExporters(env, options.prometheusPort, log);
  if (exporters.disabled) {
    log('OTEL_SDK_DISABLED=true: the OpenTelemetry output (-otlp) is off');
    return [];
  }
  const sinks: Sink[] = [];
  if (exporters.metrics === 'prometheus') {
    const { createPrometheusSink } = await import('./prometheus-sink.js');
    try {
      sinks.push(await createPrometheusSink({ ...options, port: options.prometheusPort, log }));
    } catch (error) {
      if (error instanceof OtlpConfigError) throw error;
      throw new OtlpConfigError(`Prometheus exporter: ${(error as Error).message}`);
    }
  }
  const metricsExporter = exporters.metrics === 'prometheus' ? 'none' : exporters.metrics;
  if (metricsExporter !== 'none' || exporters.logs !== 'none') {
    const { createOtlpSink } = await import('./otlp-sink.js');
    sinks.push(createOtlpSink({ ...options, metricsExporter, logsExporter: exporters.logs, log }));
  }
  return sinks;
}
