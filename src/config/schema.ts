import { DEFAULT_MAX_SCANS_PER_WINDOW, DEFAULT_MAX_SOURCES, MAX_MAX_SOURCES, MIN_MAX_SOURCES } from '../attribution/params.js';
import type { FormatName } from './formats.js';

/** One option: the single place its flag, env variable, default, documentation and validation are defined. */
export interface OptionSpec {
  /** One or two sentences for --help, plugin.yaml and the README. */
  readonly doc: string;
  /** A format from formats.ts: it parses flag/env text, validates every value and types the option in PengConfig. */
  readonly format: FormatName;
  /** Written as a user would write it ('1m', '4MiB'); convict coerces it like any other text. */
  readonly default: string | number | boolean | readonly string[];
  /**
   * `PENG_` + the name in UPPER_SNAKE_CASE; absent for the one-shot actions (help, version, interfaces):
   * deploy tools set PENG_VERSION=0.1.0 for their own reasons, and an environment must never turn a
   * service into a help printout, so those come from the command line only.
   */
  readonly env?: string;
  readonly min?: number;
  readonly max?: number;
  /** Never echoed in errors or logs. */
  readonly sensitive?: boolean;
  /** False for one-shot actions and --config itself: a config file cannot set them. */
  readonly inFile?: boolean;
}

const definitions = {
  timeFrame: {
    doc: 'Interval time to detect scans: each window of this length yields one entropy report. A Go-style duration (500ms, 8s, 1m, 1h30m) from 100ms to 24h.',
    format: 'peng-duration',
    default: '1m',
    env: 'PENG_TIME_FRAME',
  },
  alignWindows: {
    doc: 'Replay: start windows on multiples of timeFrame since the epoch, as live capture does (the first window is partial), so backfilled series line up with live ones and replays of disjoint captures into one database add up. Default: the first window starts at the first frame. Live windows are always aligned.',
    format: 'peng-boolean',
    default: false,
    env: 'PENG_ALIGN_WINDOWS',
  },
  bin: {
    doc: 'Number of bins in each port bitmap; size must be a multiple of it.',
    format: 'peng-integer',
    default: 16,
    env: 'PENG_BIN',
    min: 1,
    max: 65536,
  },
  size: {
    doc: 'Size of each port bitmap in bits, from bin to 65536.',
    format: 'peng-integer',
    default: 1024,
    env: 'PENG_SIZE',
    min: 1,
    max: 65536,
  },
  verbose: {
    doc: 'Console lines: 0 none, 1 total entropy per window (the original lines) and scanners named, 2 adds per-bin entropies and probes by kind, 3 adds bits set per bin and each counted port.',
    format: 'peng-integer',
    default: 1,
    env: 'PENG_VERBOSE',
    min: 0,
    max: 3,
  },
  export: {
    doc: 'CSV file to append each window to (time,client,server); empty = no CSV.',
    format: 'peng-path',
    default: '',
    env: 'PENG_EXPORT',
  },
  json: {
    doc: 'Write one JSON WindowReport per line on stdout; every log line goes to stderr.',
    format: 'peng-boolean',
    default: false,
    env: 'PENG_JSON',
  },
  lineProtocol: {
    doc: "Write InfluxDB line protocol on stdout, one line per window, for Telegraf's execd input; not together with json.",
    format: 'peng-boolean',
    default: false,
    env: 'PENG_LINE_PROTOCOL',
  },
  network: {
    doc: "Network interfaces to capture on, comma-separated (eth0,eth1 or any); empty = the default route's interface.",
    format: 'peng-interface-list',
    default: [],
    env: 'PENG_NETWORK',
  },
  interfaces: {
    doc: 'List the network interfaces available for capture and exit.',
    format: 'peng-boolean',
    default: false,
    inFile: false,
  },
  localAddresses: {
    doc: "Addresses of this host, comma-separated IPv4/IPv6 addresses and CIDR prefixes: SYNs to them count as server traffic, SYNs from them as client traffic. Empty: live capture uses the interfaces' own addresses, replay counts every SYN as server traffic.",
    format: 'peng-address-list',
    default: [],
    env: 'PENG_LOCAL_ADDRESSES',
  },
  probes: {
    doc:
      'Probe kinds to capture and count, comma-separated: syn (always on), stealth (FIN, NULL, Xmas, Maimon), ack (pure ACKs), udp, icmp (echo requests), ' +
      'replies (SYN-ACK, RST, ICMP unreachable), tunnels (GRE, VXLAN, Geneve, for the probes inside). Live, the kernel filter passes only these. ' +
      'Empty: live syn,stealth,icmp,replies (udp, ack and tunnels would bring every DNS/QUIC datagram, every ACK of every connection, every packet of a tunnel endpoint), replay every kind.',
    format: 'peng-probe-list',
    default: [],
    env: 'PENG_PROBES',
  },
  maxSources: {
    doc: 'Sources the scan table remembers per interface (about 400 bytes each, fixed at start); when full, the source with the least evidence makes room, never a named scanner for a one-packet source.',
    format: 'peng-integer',
    default: DEFAULT_MAX_SOURCES,
    env: 'PENG_MAX_SOURCES',
    min: MIN_MAX_SOURCES,
    max: MAX_MAX_SOURCES,
  },
  maxScans: {
    doc: 'Scanners listed per window report, most evidence first; the rest are counted in scansOmitted.',
    format: 'peng-integer',
    default: DEFAULT_MAX_SCANS_PER_WINDOW,
    env: 'PENG_MAX_SCANS',
    min: 1,
    max: 1000,
  },
  ignoreSources: {
    doc: 'Sources whose probes are not scan evidence (your own vulnerability scanners), comma-separated addresses and CIDR prefixes; what they send is counted as suppressed.',
    format: 'peng-address-list',
    default: [],
    env: 'PENG_IGNORE_SOURCES',
  },
  ignoreDestinations: {
    doc: 'Destinations whose probes are not scan evidence (busy public services), comma-separated addresses and CIDR prefixes; counted as suppressed.',
    format: 'peng-address-list',
    default: [],
    env: 'PENG_IGNORE_DESTINATIONS',
  },
  exportScans: {
    doc: 'CSV file to append each active scanner of each window to (time,interface,source,direction,reason,kinds,probes,ports,hosts,first_seen,detected_at); empty = none.',
    format: 'peng-path',
    default: '',
    env: 'PENG_EXPORT_SCANS',
  },
  bufferSize: {
    doc: 'Kernel capture ring (libpcap buffer size): bytes, or a number with a unit (512KiB, 64MiB), from 64KiB to 1GiB. Frames are kept to -snaplen bytes, so the default 4MiB holds about 20000 SYNs (raise it if windows report dropped frames).',
    format: 'peng-byte-size',
    default: '4MiB',
    env: 'PENG_BUFFER_SIZE',
    min: 64 * 1024,
    max: 1024 ** 3,
  },
  snaplen: {
    doc: 'Bytes kept of each captured frame, from 64 to 262144: headers are all Peng reads (tunnels and IPv6 extension chains fit in 256); a frame cut short is normal.',
    format: 'peng-integer',
    default: 256,
    env: 'PENG_SNAPLEN',
    min: 64,
    max: 262144,
  },
  user: {
    doc: 'User to switch to after the captures are open (name or numeric id); empty = keep the current user.',
    format: 'peng-account',
    default: 'nobody',
    env: 'PENG_USER',
  },
  group: {
    doc: 'Group to switch to after the captures are open (name or numeric id); empty = the primary group of that user.',
    format: 'peng-account',
    default: '',
    env: 'PENG_GROUP',
  },
  influxUrl: {
    doc: 'InfluxDB 2.x URL (http or https).',
    format: 'peng-url',
    default: 'http://localhost',
    env: 'PENG_INFLUX_URL',
  },
  influxPort: {
    doc: 'InfluxDB port, used when influxUrl names none.',
    format: 'peng-integer',
    default: 9999,
    env: 'PENG_INFLUX_PORT',
    min: 1,
    max: 65535,
  },
  bucket: {
    doc: 'InfluxDB bucket. Giving bucket, org and token turns the InfluxDB output on.',
    format: 'peng-text',
    default: '',
    env: 'PENG_BUCKET',
  },
  org: {
    doc: 'InfluxDB organization (with bucket and token).',
    format: 'peng-text',
    default: '',
    env: 'PENG_ORG',
  },
  token: {
    doc: 'InfluxDB auth token (with bucket and org); never printed. Prefer PENG_TOKEN or a config file to a flag, which other users can see.',
    format: 'peng-token',
    default: '',
    env: 'PENG_TOKEN',
    sensitive: true,
  },
  tokenFile: {
    doc: 'File holding the InfluxDB auth token, instead of token: read once at start (before privileges are dropped), one final newline ignored; keep it unreadable by other users.',
    format: 'peng-path',
    default: '',
    env: 'PENG_TOKEN_FILE',
  },
  otlp: {
    doc: 'Export metrics and scan events with OpenTelemetry: OTLP (http/protobuf by default) unless OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER choose prometheus, console or none; OTEL_SDK_DISABLED=true turns it off.',
    format: 'peng-boolean',
    default: false,
    env: 'PENG_OTLP',
  },
  otlpEndpoint: {
    doc: 'OTLP collector base URL; over HTTP metrics go to its /v1/metrics path, over gRPC it is used as is. Empty: OTEL_EXPORTER_OTLP_METRICS_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT, else http://localhost:4318 (gRPC: 4317).',
    format: 'peng-optional-url',
    default: '',
    env: 'PENG_OTLP_ENDPOINT',
  },
  otlpProtocol: {
    doc: 'OTLP transport: http/protobuf, grpc or http/json. Empty: OTEL_EXPORTER_OTLP_METRICS_PROTOCOL / OTEL_EXPORTER_OTLP_LOGS_PROTOCOL / OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf.',
    format: 'peng-otlp-protocol',
    default: '',
    env: 'PENG_OTLP_PROTOCOL',
  },
  prometheusPort: {
    doc: 'With -otlp, serve the metrics for Prometheus to scrape on this port (/metrics) instead of pushing them over OTLP, as OTEL_METRICS_EXPORTER=prometheus does. 0: OTEL_EXPORTER_PROMETHEUS_PORT, else 9464, and only when OTEL_METRICS_EXPORTER asks for prometheus. The address is OTEL_EXPORTER_PROMETHEUS_HOST, else every interface.',
    format: 'peng-integer',
    default: 0,
    env: 'PENG_PROMETHEUS_PORT',
    min: 0,
    max: 65535,
  },
  config: {
    doc: 'Read settings from this JSON or YAML file (see config/peng.yaml); environment variables and flags override it.',
    format: 'peng-path',
    default: '',
    env: 'PENG_CONFIG',
    inFile: false,
  },
  debug: {
    doc: 'Show the stack trace with an error.',
    format: 'peng-boolean',
    default: false,
    env: 'PENG_DEBUG',
  },
  version: {
    doc: 'Print the version and exit.',
    format: 'peng-boolean',
    default: false,
    inFile: false,
  },
  help: {
    doc: 'Print this help and exit.',
    format: 'peng-boolean',
    default: false,
    inFile: false,
  },
} as const satisfies Record<string, OptionSpec>;

/** The schema's literal types (format names above all), from which PengConfig's field types are derived. */
export type OptionDefinitions = typeof definitions;

export type OptionName = keyof OptionDefinitions;

/** The convict schema. The flag of each option is its name (`-timeFrame`, `--timeFrame`). */
export const schema: { readonly [K in OptionName]: OptionSpec } = definitions;

/** Option names in schema order (the order of --help, plugin.yaml and the README). */
export const optionNames: readonly OptionName[] = Object.keys(schema) as OptionName[];

export function isOptionName(name: string): name is OptionName {
  return Object.prototype.hasOwnProperty.call(schema, name);
}

/** The env variable naming rule every option follows: timeFrame -> PENG_TIME_FRAME. */
export function envNameFor(name: string): string {
  return `PENG_${name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}
