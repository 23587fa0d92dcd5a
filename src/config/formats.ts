import { LocalAddresses } from '../net/local-addresses.js';
import { isProbeSetName, PROBE_SET_NAMES, type ProbeSetName } from '../packets/probe-set.js';
import { describeChar, findHeaderUnsafe } from './header-text.js';
import { FormatProblem, type ValueFormat } from './format-types.js';
import { formatDuration, parseByteSize, parseGoDuration } from './units.js';

export { FormatProblem, type FormatLimits, type ValueFormat } from './format-types.js';

export const MIN_TIME_FRAME_MS = 100;
export const MAX_TIME_FRAME_MS = 24 * 3_600_000;
export const MAX_LIST_ENTRIES = 1024;
const MAX_TEXT_LENGTH = 4096;
const IFNAMSIZ = 16; // Linux interface names hold at most IFNAMSIZ - 1 characters

// Go's strconv.ParseBool words plus yes/no/on/off; an empty value (`PENG_JSON=`) means off.
const TRUE_WORDS = ['true', 't', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', 'f', '0', 'no', 'off', ''];

const durationHint = 'use a Go-style duration such as 500ms, 8s, 1m or 1h30m';

const duration: ValueFormat<number> = {
  type: 'duration',
  placeholder: 'DURATION',
  coerce: (text) => parseGoDuration(text.trim()) ?? text,
  validate(value) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new FormatProblem('not a duration', durationHint);
    }
    if (value < MIN_TIME_FRAME_MS) {
      throw new FormatProblem(`${formatDuration(value)} is too short, the minimum is 100ms`, durationHint);
    }
    if (value > MAX_TIME_FRAME_MS) {
      throw new FormatProblem(`${formatDuration(value)} is too long, the maximum is 24h`, durationHint);
    }
    return value;
  },
};

const integer: ValueFormat<number> = {
  type: 'integer',
  placeholder: 'N',
  coerce: (text) => (/^\s*\+?\d{1,15}\s*$/.test(text) ? Number(text) : text),
  validate(value, { min = 0, max = Number.MAX_SAFE_INTEGER }) {
    const hint = `use a whole number from ${min} to ${max}`;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw new FormatProblem('not a whole number', hint);
    if (value < min) throw new FormatProblem(`must be at least ${min}`, hint);
    if (value > max) throw new FormatProblem(`must be at most ${max}`, hint);
    return value;
  },
};

const byteSize: ValueFormat<number> = {
  type: 'byte size',
  placeholder: 'SIZE',
  coerce: (text) => parseByteSize(text) ?? text,
  validate(value, { min = 0, max = Number.MAX_SAFE_INTEGER }) {
    const hint = `use bytes or a unit, such as 512KiB or 4MiB (from ${min} to ${max} bytes)`;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new FormatProblem('not a byte size', hint);
    if (value < min) throw new FormatProblem(`${value} bytes is too small`, hint);
    if (value > max) throw new FormatProblem(`${value} bytes is too large`, hint);
    return value;
  },
};

const boolean: ValueFormat<boolean> = {
  type: 'boolean',
  placeholder: '',
  coerce(text) {
    const word = text.trim().toLowerCase();
    if (TRUE_WORDS.includes(word)) return true;
    if (FALSE_WORDS.includes(word)) return false;
    return text;
  },
  validate(value) {
    if (typeof value !== 'boolean') throw new FormatProblem('not a boolean', 'use true or false');
    return value;
  },
};

const url: ValueFormat<string> = {
  type: 'url',
  placeholder: 'URL',
  coerce: (text) => text.trim(),
  validate(value) {
    const hint = 'use an http:// or https:// URL such as http://localhost';
    requireText(value, hint);
    // `localhost:4318` parses as scheme "localhost": the usual slip is a host:port without its scheme.
    if (!value.includes('://') && /^(\[[0-9a-fA-F:.]+\]|[\w.-]+):\d+(\/\S*)?$/.test(value)) {
      throw new FormatProblem('the URL has no scheme', `write http://${value} (or https://${value})`);
    }
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new FormatProblem('not a URL', hint);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new FormatProblem(`scheme ${parsed.protocol.slice(0, -1)} is not supported`, hint);
    }
    if (parsed.hostname === '') throw new FormatProblem('the URL names no host', hint);
    return value;
  },
};

/** Free text (bucket, org, token); empty means "not set". */
const text: ValueFormat<string> = {
  type: 'string',
  placeholder: 'TEXT',
  coerce: (value) => value,
  validate(value) {
    requireText(value, 'write it as plain text');
    return value;
  },
};

/** An InfluxDB token: sent in an HTTP header, so a control character (a CRLF file's `\r`) is refused here, by position, never echoed. */
const token: ValueFormat<string> = {
  type: 'string',
  placeholder: 'TOKEN',
  coerce: (value) => value,
  validate(value) {
    requireText(value, 'write the token as plain text');
    const bad = findHeaderUnsafe(value);
    if (bad !== null) {
      const { index, char } = bad;
      const where = index === value.length - 1 ? `at its end (character ${index + 1} of ${value.length})` : `at character ${index + 1} of ${value.length}`;
      throw new FormatProblem(
        `the token contains ${describeChar(char)} ${where}, which an HTTP header cannot carry`,
        'remove it (a token file or EnvironmentFile saved with Windows line endings ends each line in \\r)',
      );
    }
    return value;
  },
};

/** A file path; empty means "none". */
const path: ValueFormat<string> = {
  type: 'path',
  placeholder: 'FILE',
  coerce: (value) => value,
  validate(value) {
    requireText(value, 'write a file path');
    return value;
  },
};

/** A user or group to switch to: a name or a numeric id; empty keeps the current one. */
const account: ValueFormat<string> = {
  type: 'account',
  placeholder: 'NAME',
  coerce: (value) => value.trim(),
  validate(value) {
    const hint = 'use a user or group name such as nobody, a numeric id, or empty to keep the current one';
    requireText(value, hint);
    if (value !== '' && !/^[A-Za-z0-9_][A-Za-z0-9._-]{0,31}\$?$/.test(value)) {
      throw new FormatProblem('not a valid user or group name', hint);
    }
    return value;
  },
};

const addressList: ValueFormat<string[]> = {
  type: 'address list',
  placeholder: 'LIST',
  coerce: splitList,
  validate(value) {
    const hint = 'use comma-separated IPv4/IPv6 addresses or CIDR prefixes such as 192.0.2.10,10.0.0.0/8,2001:db8::/32';
    const entries = requireList(value, hint);
    try {
      LocalAddresses.parse(entries);
    } catch (err) {
      throw new FormatProblem(err instanceof Error ? err.message : 'invalid address', hint);
    }
    return entries;
  },
};

const interfaceList: ValueFormat<string[]> = {
  type: 'interface list',
  placeholder: 'LIST',
  coerce: splitList,
  validate(value) {
    const hint = 'use comma-separated interface names such as eth0,eth1 (peng -interfaces lists them)';
    const names = requireList(value, hint);
    for (const name of names) {
      if (name === '' || name.length >= IFNAMSIZ || name === '.' || name === '..' || /[\s/:,\u0000-\u001f]/.test(name)) {
        throw new FormatProblem(`${JSON.stringify(name.slice(0, 40))} is not a valid interface name`, hint);
      }
    }
    return names;
  },
};

/** `-probes`; empty = the mode's default. `syn` is required, not silently added: a list without it likely meant something else. */
const probeList: ValueFormat<ProbeSetName[]> = {
  type: 'probe list',
  placeholder: 'LIST',
  coerce: splitList,
  validate(value) {
    const hint = `use comma-separated values from ${PROBE_SET_NAMES.join(', ')}, syn among them, such as syn,stealth,icmp,replies`;
    const entries = requireList(value, hint);
    const unknown = entries.find((entry) => !isProbeSetName(entry));
    if (unknown !== undefined) throw new FormatProblem(`${JSON.stringify(unknown.slice(0, 40))} is not a probe kind`, hint);
    if (entries.length > 0 && !entries.includes('syn')) throw new FormatProblem('syn is missing: the port bitmaps and their entropy are built from SYNs', `write syn,${entries.join(',')}`);
    return entries.filter(isProbeSetName);
  },
};

/** OTLP transports (the spec's names); empty lets OTEL_EXPORTER_OTLP_*PROTOCOL decide. */
const OTLP_PROTOCOL_NAMES = ['http/protobuf', 'grpc', 'http/json'] as const;
const otlpProtocol: ValueFormat<string> = {
  type: 'OTLP protocol',
  placeholder: 'PROTOCOL',
  coerce: (value) => value.trim().toLowerCase(),
  validate(value) {
    const hint = `use ${OTLP_PROTOCOL_NAMES.join(', ')}, or empty for OTEL_EXPORTER_OTLP_PROTOCOL (default http/protobuf)`;
    requireText(value, hint);
    if (value !== '' && !(OTLP_PROTOCOL_NAMES as readonly string[]).includes(value)) throw new FormatProblem(`${JSON.stringify(value.slice(0, 40))} is not an OTLP protocol`, hint);
    return value;
  },
};

/** A URL that may be left empty, so that another source (OTEL_* variables) can decide. */
const optionalUrl: ValueFormat<string> = {
  ...url,
  validate: (value, limits) => (value === '' ? value : url.validate(value, limits)),
};

/** Every format, by the name a schema entry uses. Names carry a prefix because convict's registry is global. */
export const formats = {
  'peng-duration': duration,
  'peng-integer': integer,
  'peng-byte-size': byteSize,
  'peng-boolean': boolean,
  'peng-url': url,
  'peng-optional-url': optionalUrl,
  'peng-text': text,
  'peng-token': token,
  'peng-path': path,
  'peng-account': account,
  'peng-address-list': addressList,
  'peng-interface-list': interfaceList,
  'peng-probe-list': probeList,
  'peng-otlp-protocol': otlpProtocol,
} as const satisfies Record<string, ValueFormat<unknown>>;

export type FormatName = keyof typeof formats;

/** The type of a valid value of format F (`number` for peng-duration, `string[]` for peng-address-list). */
export type FormatValue<F extends FormatName> = ReturnType<(typeof formats)[F]['validate']>;

function splitList(text: string): unknown {
  return text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
}

function requireText(value: unknown, hint: string): asserts value is string {
  if (typeof value !== 'string') throw new FormatProblem(`expected text, got ${describeType(value)}`, hint);
  if (value.length > MAX_TEXT_LENGTH) throw new FormatProblem(`longer than ${MAX_TEXT_LENGTH} characters`, hint);
  if (value.includes('\u0000')) throw new FormatProblem('contains a NUL character', hint);
}

function requireList(value: unknown, hint: string): string[] {
  if (!Array.isArray(value)) throw new FormatProblem(`expected a list, got ${describeType(value)}`, hint);
  if (value.length > MAX_LIST_ENTRIES) throw new FormatProblem(`more than ${MAX_LIST_ENTRIES} entries`, hint);
  const entries: string[] = [];
  for (const entry of value as unknown[]) {
    if (typeof entry !== 'string') throw new FormatProblem(`entry ${entries.length + 1} is ${describeType(entry)}, not text`, hint);
    entries.push(entry);
  }
  return entries;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}
