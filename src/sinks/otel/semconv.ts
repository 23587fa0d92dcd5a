/**
 * Every OpenTelemetry name Peng uses, in one place. Stable attributes come from the
 * semantic-conventions package's stable entry point; incubating ones are copied here, as that package
 * recommends, so a semconv release cannot rename them under us.
 */
export { ATTR_SERVICE_INSTANCE_ID, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

/** Incubating in semconv 1.45 (`host.*`). */
export const ATTR_HOST_NAME = 'host.name' as const;
/** Incubating in semconv 1.45 (`network.*`): the data-point attribute of every Peng instrument. */
export const ATTR_NETWORK_INTERFACE_NAME = 'network.interface.name' as const;
/** Peng's data-point attribute in replay, where the "interface" of a window is the capture file's name. */
export const ATTR_PENG_CAPTURE_FILE = 'peng.capture.file' as const;
/** What a window's `interface` names: an interface live, a capture file in replay. */
export type WindowSourceAttribute = typeof ATTR_NETWORK_INTERFACE_NAME | typeof ATTR_PENG_CAPTURE_FILE;

/** Meter and instrumentation scope name. */
export const PENG_SCOPE_NAME = 'peng';
/** Default `service.name` (OTEL_SERVICE_NAME overrides it). */
export const PENG_SERVICE_NAME = 'peng';

export const METRIC_PENG_SERVER_ENTROPY = 'peng.server.entropy';
export const METRIC_PENG_CLIENT_ENTROPY = 'peng.client.entropy';
export const METRIC_PENG_SERVER_SYN_PACKETS = 'peng.server.syn_packets';
export const METRIC_PENG_CLIENT_SYN_PACKETS = 'peng.client.syn_packets';
export const METRIC_PENG_CAPTURE_FRAMES = 'peng.capture.frames';
export const METRIC_PENG_CAPTURE_MALFORMED = 'peng.capture.malformed';
export const METRIC_PENG_CAPTURE_DROPPED = 'peng.capture.dropped';
export const METRIC_PENG_INFLUXDB_DROPPED_LINES = 'peng.influxdb.dropped_lines';
export const METRIC_PENG_OTLP_EXPORTED_WINDOWS = 'peng.otlp.exported_windows';
export const METRIC_PENG_OTLP_FAILED_EXPORTS = 'peng.otlp.failed_exports';
export const METRIC_PENG_OTLP_DROPPED_WINDOWS = 'peng.otlp.dropped_windows';
/**
 * The unit in the name too, as the Prometheus endpoint has it: OpenTelemetry JS' Prometheus exporter appends
 * no unit suffix, the Collector's translator appends `_seconds` unless present.
 */
export const METRIC_PENG_WINDOW_LAST_END = 'peng.window.last_end_seconds';
/** Always 1; the version is the attribute `peng.version`. */
export const METRIC_PENG_BUILD_INFO = 'peng.build.info';
/** Peng's data-point attribute of peng.build.info: the version (also the resource's service.version). */
export const ATTR_PENG_VERSION = 'peng.version' as const;
export const METRIC_PENG_SERVER_PROBES = 'peng.server.probes';
export const METRIC_PENG_CLIENT_PROBES = 'peng.client.probes';
export const METRIC_PENG_SERVER_SCANNERS = 'peng.server.scanners';
export const METRIC_PENG_CLIENT_SCANNERS = 'peng.client.scanners';
/** Peng's own data-point attribute: the probe kind (syn, fin, null, xmas, maimon, ack, udp, icmpEcho, synAck, rst, icmpUnreachable). */
export const ATTR_PENG_PROBE_KIND = 'peng.probe.kind' as const;
/** Scanners named by scan attribution. */
export const UNIT_SCANNER = '{scanner}';

/**
 * Entropy is a dimensionless score (0..2). UCUM's unity `1` would be right too, but Prometheus translations
 * read `1` on a gauge as a ratio and append `_ratio`; an annotation (`{entropy}`, which UCUM also reads as
 * unity) is dropped by every translator, so the name stays `peng_server_entropy` with or without suffixes.
 */
export const UNIT_ENTROPY = '{entropy}';
/** Semconv annotation for counts of things: `{packet}` (curly braces carry no unit, only a label). */
export const UNIT_PACKET = '{packet}';
/** Lines of InfluxDB line protocol. */
export const UNIT_LINE = '{line}';
/** Windows (of one interface or file) exported or given up. */
export const UNIT_WINDOW = '{window}';
/** Export requests. */
export const UNIT_REQUEST = '{request}';
/** Seconds (UCUM). */
export const UNIT_SECONDS = 's';
