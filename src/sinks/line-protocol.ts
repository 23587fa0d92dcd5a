import type { WindowReport } from '../report/window-report.js';

/** The measurement every Peng line belongs to. */
export const MEASUREMENT = 'peng';

/** Field names of a Peng line, in the order they are written. */
export const LINE_PROTOCOL_FIELDS = {
  clientEntropy: 'client_entropy',
  serverEntropy: 'server_entropy',
  clientSynPackets: 'client_syn_packets',
  serverSynPackets: 'server_syn_packets',
} as const;

/** Tag keys of a Peng line; `host` only where the writer adds it (InfluxDB, not Telegraf). */
export const LINE_PROTOCOL_TAGS = { host: 'host', interface: 'interface' } as const;

/** A window that line protocol cannot carry (its time lies outside the signed 64-bit nanosecond range). */
export class LineProtocolError extends Error {
  override readonly name = 'LineProtocolError';
}

// Line protocol timestamps are signed 64-bit nanoseconds: 1677-09-21 .. 2262-04-11.
const MIN_NANOS = -(2n ** 63n);
const MAX_NANOS = 2n ** 63n - 1n;
const NANOS_PER_MS = 1_000_000n;

// Telegraf's serializer turns these into visible escapes; a raw newline would end the line.
const WHITESPACE_ESCAPES: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };

/**
 * Escapes a tag key, tag value or field key by Influx's rules: `,` `=` and space get a backslash;
 * tab, newline, form feed and return become `\t` `\n` `\f` `\r` (as Telegraf writes them).
 * Influx parsers read a backslash as escaping the next byte, so a literal backslash right before a
 * special character is doubled, and a trailing backslash (which no Influx parser accepts) becomes `_`.
 */
export function escapeTag(text: string): string {
  if (!/[\s,=\\]/.test(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === ',' || ch === '=' || ch === ' ') {
      out += '\\' + ch;
    } else if (ch in WHITESPACE_ESCAPES) {
      out += WHITESPACE_ESCAPES[ch];
    } else if (ch === '\\') {
      const next = text[i + 1];
      if (next === undefined) out += '_';
      else if (next === ',' || next === '=' || next === ' ' || next === '\\') out += '\\\\';
      else out += '\\';
    } else {
      out += ch;
    }
  }
  return out;
}

/** Escapes a measurement name: `,` and space (an `=` is allowed there). */
export function escapeMeasurement(text: string): string {
  return text.replace(/[, ]/g, (ch) => '\\' + ch).replace(/[\t\n\f\r]/g, (ch) => WHITESPACE_ESCAPES[ch]!);
}

/** A float field value; the shortest text that reads back as the same double. */
export function formatFloat(value: number): string {
  if (!Number.isFinite(value)) throw new LineProtocolError(`field value ${value} is not a finite number`);
  return String(value);
}

/** A signed integer field value with Influx's `i` suffix. */
export function formatInteger(value: number): string {
  if (!Number.isSafeInteger(value)) throw new LineProtocolError(`field value ${value} is not an integer`);
  return `${value}i`;
}

/** The nanosecond timestamp of `time`, exact (milliseconds × 10⁶ in integer arithmetic). */
export function timestampNanos(time: Date): string {
  const ms = time.getTime();
  if (!Number.isFinite(ms)) throw new LineProtocolError('window time is not a valid date');
  const nanos = BigInt(ms) * NANOS_PER_MS;
  if (nanos < MIN_NANOS || nanos > MAX_NANOS) {
    throw new LineProtocolError(
      `window end ${time.toISOString()} is outside line protocol's time range (1677-09-21 to 2262-04-11); check the capture's timestamps`,
    );
  }
  return nanos.toString();
}

export interface WindowLineOptions {
  /** Adds a `host` tag (the InfluxDB writer does; Telegraf adds its own). */
  host?: string;
}

/**
 * One line per window: `peng[,host=<h>],interface=<if> client_entropy=<f>,server_entropy=<f>,
 * client_syn_packets=<n>i,server_syn_packets=<n>i <ns>`, timestamp = window end. No trailing newline.
 * Throws LineProtocolError for a window that cannot be written (non-finite value, time out of range).
 */
export function windowToLine(report: WindowReport, options: WindowLineOptions = {}): string {
  let line = MEASUREMENT;
  // Tags sorted by key, as Influx stores them; an empty value is not representable and is left out.
  if (options.host) line += `,${LINE_PROTOCOL_TAGS.host}=${escapeTag(options.host)}`;
  if (report.interface) line += `,${LINE_PROTOCOL_TAGS.interface}=${escapeTag(report.interface)}`;
  const f = LINE_PROTOCOL_FIELDS;
  line +=
    ` ${f.clientEntropy}=${formatFloat(report.client.entropy)}` +
    `,${f.serverEntropy}=${formatFloat(report.server.entropy)}` +
    `,${f.clientSynPackets}=${formatInteger(report.client.synPackets)}` +
    `,${f.serverSynPackets}=${formatInteger(report.server.synPackets)}`;
  return `${line} ${timestampNanos(report.end)}`;
}

/** The measurement of probe counts: one line per direction and window. */
export const PROBES_MEASUREMENT = 'peng_probes';
/** The measurement of named scanners: one line per active scanner and window. */
export const SCAN_MEASUREMENT = 'peng_scan';

const PROBE_FIELDS: Record<string, string> = {
  syn: 'syn',
  fin: 'fin',
  null: 'null',
  xmas: 'xmas',
  maimon: 'maimon',
  ack: 'ack',
  udp: 'udp',
  icmpEcho: 'icmp_echo',
  synAck: 'syn_ack',
  rst: 'rst',
  icmpUnreachable: 'icmp_unreachable',
};

/** A string field value: quoted, with `"` and `\` escaped. */
function formatString(text: string): string {
  return `"${text.replace(/[\\"]/g, (ch) => '\\' + ch).replace(/\n/g, '\\n')}"`;
}

/**
 * Every line of a window: the seed's `peng` line, a `peng_probes` line per direction (counts by probe kind),
 * and a `peng_scan` line per scanner listed (tags `source` and `direction`; bounded by -maxScans), all at
 * the window's end. Throws LineProtocolError like windowToLine.
 */
export function windowToLines(report: WindowReport, options: WindowLineOptions = {}): string[] {
  const lines = [windowToLine(report, options)];
  const time = timestampNanos(report.end);
  let tags = '';
  if (options.host) tags += `,${LINE_PROTOCOL_TAGS.host}=${escapeTag(options.host)}`;
  if (report.interface) tags += `,${LINE_PROTOCOL_TAGS.interface}=${escapeTag(report.interface)}`;
  for (const direction of ['client', 'server'] as const) {
    const counts = report.probes?.[direction];
    if (!counts) continue;
    const fields = Object.entries(counts).map(([kind, n]) => `${PROBE_FIELDS[kind] ?? escapeTag(kind)}=${formatInteger(n)}`);
    lines.push(`${PROBES_MEASUREMENT},direction=${direction}${tags} ${fields.join(',')} ${time}`);
  }
  for (const scan of report.scans ?? []) {
    // Tags sorted by key: direction, host, interface, source.
    const scanTags = `,direction=${scan.direction}${tags},source=${escapeTag(scan.source)}`;
    const fields =
      `reason=${formatString(scan.reason)},kinds=${formatString(scan.kinds.join(','))},probes=${formatInteger(scan.probes)}` +
      `,ports=${formatInteger(scan.ports)},hosts=${formatInteger(scan.hosts)}` +
      `,first_seen=${formatInteger(scan.firstSeen.getTime())},detected_at=${formatInteger(scan.detectedAt.getTime())}`;
    lines.push(`${SCAN_MEASUREMENT}${scanTags} ${fields} ${time}`);
  }
  return lines;
}
