import { ValueType } from '@opentelemetry/api';
import type { SelfMetricsIncrements } from '../../report/self-metrics.js';
import type { WindowReport } from '../../report/window-report.js';
import {
  METRIC_PENG_CAPTURE_DROPPED,
  METRIC_PENG_CAPTURE_FRAMES,
  METRIC_PENG_CAPTURE_MALFORMED,
  METRIC_PENG_CLIENT_ENTROPY,
  METRIC_PENG_CLIENT_SYN_PACKETS,
  METRIC_PENG_INFLUXDB_DROPPED_LINES,
  METRIC_PENG_SERVER_PROBES,
  METRIC_PENG_CLIENT_PROBES,
  METRIC_PENG_SERVER_SCANNERS,
  METRIC_PENG_CLIENT_SCANNERS,
  ATTR_PENG_PROBE_KIND,
  UNIT_SCANNER,
  METRIC_PENG_SERVER_ENTROPY,
  METRIC_PENG_SERVER_SYN_PACKETS,
  ATTR_NETWORK_INTERFACE_NAME,
  UNIT_ENTROPY,
  UNIT_LINE,
  UNIT_PACKET,
  METRIC_PENG_OTLP_EXPORTED_WINDOWS,
  METRIC_PENG_OTLP_FAILED_EXPORTS,
  METRIC_PENG_OTLP_DROPPED_WINDOWS,
  METRIC_PENG_WINDOW_LAST_END,
  METRIC_PENG_BUILD_INFO,
  ATTR_PENG_VERSION,
  UNIT_WINDOW,
  UNIT_REQUEST,
  UNIT_SECONDS,
} from './semconv.js';
import { PENG_VERSION } from '../../version.js';

/** `gauge`: the window's value; `counter`: things counted during the window (monotonic Sum: delta or running total). */
export type PengInstrumentKind = 'gauge' | 'counter';

/** One instrument of the OpenTelemetry table in the README and how a window supplies its value. */
export interface PengInstrument {
  readonly name: string;
  readonly kind: PengInstrumentKind;
  readonly unit: string;
  readonly valueType: ValueType;
  readonly description: string;
  /** The window's value; undefined when the window cannot tell (drops on platforms without counters). */
  readonly read: (report: WindowReport, run: SelfMetricsIncrements) => number | undefined;
  /**
   * One more data-point attribute, for entries that share a name (probes by kind): such entries are one
   * instrument whose points differ in this attribute.
   */
  readonly attribute?: { readonly key: string; readonly value: string };
}

/** The values of `peng.probe.kind`, in export order. */
export const PROBE_KINDS = ['syn', 'fin', 'null', 'xmas', 'maimon', 'ack', 'udp', 'icmpEcho', 'synAck', 'rst', 'icmpUnreachable'] as const;

/** `peng.<direction>.probes`, one entry per probe kind. */
function probeInstruments(direction: 'server' | 'client'): PengInstrument[] {
  return PROBE_KINDS.map((kind) => ({
    name: direction === 'server' ? METRIC_PENG_SERVER_PROBES : METRIC_PENG_CLIENT_PROBES,
    kind: 'counter',
    unit: UNIT_PACKET,
    valueType: ValueType.INT,
    description:
      direction === 'server'
        ? 'Probes sent to this host (and replies it sent), by kind (attribute peng.probe.kind).'
        : 'Probes sent by this host (and replies it received), by kind (attribute peng.probe.kind).',
    read: (r) => r.probes?.[direction][kind],
    attribute: { key: ATTR_PENG_PROBE_KIND, value: kind },
  }));
}

/** A data-point attribute of the instruments, as plugin.yaml's mdatagen `attributes` describe it. */
export interface PengAttribute {
  readonly description: string;
  readonly type: 'string';
  readonly enum?: readonly string[];
}

/** Every data-point attribute an instrument carries: network.interface.name on all, peng.probe.kind on probes. */
export const PENG_ATTRIBUTES: Readonly<Record<string, PengAttribute>> = {
  [ATTR_NETWORK_INTERFACE_NAME]: {
    description: 'The capture interface the window counts (in replay the attribute is peng.capture.file instead, the capture file name).',
    type: 'string',
  },
  [ATTR_PENG_PROBE_KIND]: {
    description: 'The probe kind: SYN, FIN, NULL, Xmas, Maimon, ACK, UDP, ICMP echo, or a reply (SYN-ACK, RST, ICMP unreachable).',
    type: 'string',
    enum: PROBE_KINDS,
  },
  [ATTR_PENG_VERSION]: {
    description: "Peng's version, on peng.build.info.",
    type: 'string',
  },
};

/** The instruments, in export order. PengMetrics and the OTLP producer both read this one table. */
export const PENG_INSTRUMENTS: readonly PengInstrument[] = [
  {
    name: METRIC_PENG_SERVER_ENTROPY,
    kind: 'gauge',
    unit: UNIT_ENTROPY,
    valueType: ValueType.DOUBLE,
    description: 'Entropy (0..2) of the destination ports of SYNs sent to this host in the last time window; high means many ports probed.',
    read: (r) => r.server.entropy,
  },
  {
    name: METRIC_PENG_CLIENT_ENTROPY,
    kind: 'gauge',
    unit: UNIT_ENTROPY,
    valueType: ValueType.DOUBLE,
    description: 'Entropy (0..2) of the destination ports of SYNs sent by this host in the last time window; high means this host probes many ports.',
    read: (r) => r.client.entropy,
  },
  {
    name: METRIC_PENG_SERVER_SYN_PACKETS,
    kind: 'counter',
    unit: UNIT_PACKET,
    valueType: ValueType.INT,
    description: 'Connection-opening SYNs sent to this host (one point per window: the window\'s SYNs, or the running total when cumulative).',
    read: (r) => r.server.synPackets,
  },
  {
    name: METRIC_PENG_CLIENT_SYN_PACKETS,
    kind: 'counter',
    unit: UNIT_PACKET,
    valueType: ValueType.INT,
    description: 'Connection-opening SYNs sent by this host (one point per window: the window\'s SYNs, or the running total when cumulative).',
    read: (r) => r.client.synPackets,
  },
  {
    name: METRIC_PENG_CAPTURE_FRAMES,
    kind: 'counter',
    unit: UNIT_PACKET,
    valueType: ValueType.INT,
    description: 'Frames captured.',
    read: (r) => r.capture.frames,
  },
  {
    name: METRIC_PENG_CAPTURE_MALFORMED,
    kind: 'counter',
    unit: UNIT_PACKET,
    valueType: ValueType.INT,
    description: 'Frames skipped because their headers were truncated or inconsistent.',
    read: (r) => r.capture.malformed,
  },
  {
    name: METRIC_PENG_CAPTURE_DROPPED,
    kind: 'counter',
    unit: UNIT_PACKET,
    valueType: ValueType.INT,
    description: 'Frames dropped by the kernel or capture buffer before Peng saw them (absent where the platform cannot tell).',
    read: (r) => r.capture.dropped,
  },
  {
    name: METRIC_PENG_INFLUXDB_DROPPED_LINES,
    kind: 'counter',
    unit: UNIT_LINE,
    valueType: ValueType.INT,
    description: 'InfluxDB lines given up because the retry buffer was full or the server rejected them (only with the InfluxDB output on).',
    read: (_r, run) => run.influxdbDroppedLines,
  },
  {
    name: METRIC_PENG_SERVER_SCANNERS,
    kind: 'gauge',
    unit: UNIT_SCANNER,
    valueType: ValueType.INT,
    description: 'Scanners probing this host (or the local networks) that were active in the window, as scan attribution names them.',
    read: (r) => r.scanners?.server,
  },
  {
    name: METRIC_PENG_CLIENT_SCANNERS,
    kind: 'gauge',
    unit: UNIT_SCANNER,
    valueType: ValueType.INT,
    description: 'Local hosts scanning others that were active in the window, as scan attribution names them.',
    read: (r) => r.scanners?.client,
  },
  ...probeInstruments('server'),
  ...probeInstruments('client'),
  // The run's own: the OTLP sink's counters, the window end and the version, exported with each window.
  {
    name: METRIC_PENG_OTLP_EXPORTED_WINDOWS,
    kind: 'counter',
    unit: UNIT_WINDOW,
    valueType: ValueType.INT,
    description: 'Windows the OTLP collector accepted, counted when the next window is written (only on the OTLP push path).',
    read: (_r, run) => run.otlpExportedWindows,
  },
  {
    name: METRIC_PENG_OTLP_FAILED_EXPORTS,
    kind: 'counter',
    unit: UNIT_REQUEST,
    valueType: ValueType.INT,
    description: 'OTLP export requests that failed (network, timeout or rejection), counted when the next window is written (only on the OTLP push path).',
    read: (_r, run) => run.otlpFailedExports,
  },
  {
    name: METRIC_PENG_OTLP_DROPPED_WINDOWS,
    kind: 'counter',
    unit: UNIT_WINDOW,
    valueType: ValueType.INT,
    description: 'Windows the OTLP sink gave up (backlog full or rejected by the collector), counted when the next window is written (only on the OTLP push path).',
    read: (_r, run) => run.otlpDroppedWindows,
  },
  {
    name: METRIC_PENG_WINDOW_LAST_END,
    kind: 'gauge',
    unit: UNIT_SECONDS,
    valueType: ValueType.DOUBLE,
    description: 'End of the window, seconds since the epoch (the latest point is the last window end).',
    read: (r) => r.end.getTime() / 1000,
  },
  {
    name: METRIC_PENG_BUILD_INFO,
    kind: 'gauge',
    unit: '',
    valueType: ValueType.INT,
    description: 'Peng version (value 1, the version as attribute peng.version).',
    read: () => 1,
    attribute: { key: ATTR_PENG_VERSION, value: PENG_VERSION },
  },
];

/** A value fit for export: finite and, for counters, not negative. Anything else is skipped, not sent. */
export function isExportable(instrument: PengInstrument, value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value) && (instrument.kind === 'gauge' || value >= 0);
}
