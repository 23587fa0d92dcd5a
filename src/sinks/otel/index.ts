export { PENG_INSTRUMENTS, type PengInstrument, type PengInstrumentKind } from './instruments.js';
export { createOtlpSink, type OtlpSink, type OtlpSinkOptions, type OtlpSinkStats } from './otlp-sink.js';
export { DEFAULT_OTLP_ENDPOINT, OtlpConfigError, resolveMetricsUrl, resolveTemporality } from './otlp-config.js';
export { PengMetrics, type PengMetricsConfig } from './peng-metrics.js';
export { createPengResource, pengResourceAttributes } from './resource.js';
export { WindowMetricProducer, type CounterTemporality, type WindowMetricProducerOptions } from './window-metric-producer.js';
