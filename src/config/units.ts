// Text with units <-> numbers: Go-style durations (milliseconds) and byte sizes (bytes).

/** Nanoseconds per Go duration unit (time.ParseDuration accepts exactly these). */
const UNIT_NANOS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const PART = /(\d+)(?:\.(\d*))?|\.(\d+)/y;
const UNIT = /ns|us|µs|μs|ms|s|m|h/y;

/**
 * Parses a Go-style duration (`500ms`, `8s`, `1m`, `1h30m`, `1.5h`, `-2s`, `0`) into milliseconds.
 * Returns null when the text is not one; never throws.
 */
export function parseGoDuration(text: string): number | null {
  if (text.length === 0 || text.length > 64) return null;
  let i = 0;
  let sign = 1;
  if (text[0] === '-' || text[0] === '+') {
    sign = text[0] === '-' ? -1 : 1;
    i = 1;
  }
  // Go accepts a bare "0" and nothing else without a unit.
  if (text.slice(i) === '0') return 0;
  if (i === text.length) return null;
  let nanos = 0;
  while (i < text.length) {
    PART.lastIndex = i;
    const part = PART.exec(text);
    if (part === null) return null;
    i = PART.lastIndex;
    UNIT.lastIndex = i;
    const unit = UNIT.exec(text);
    if (unit === null) return null;
    i = UNIT.lastIndex;
    const scale = UNIT_NANOS[unit[0]]!;
    const whole = part[1] === undefined ? 0 : Number(part[1]);
    const fraction = part[2] ?? part[3] ?? '';
    nanos += whole * scale + (fraction === '' ? 0 : (Number(fraction) * scale) / 10 ** fraction.length);
  }
  return Number.isFinite(nanos) ? (sign * nanos) / 1e6 : null;
}

/** Formats milliseconds as the shortest Go-style duration text (`1m`, `1h30m`, `1.5s`, `250ms`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${ms}ms`;
  let rest = ms;
  let text = '';
  const hours = Math.floor(rest / 3_600_000);
  if (hours > 0) text += `${hours}h`;
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  if (minutes > 0) text += `${minutes}m`;
  rest -= minutes * 60_000;
  if (rest > 0) text += `${rest / 1000}s`;
  return text;
}

const UNIT_BYTES: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/**
 * Parses a byte count: a whole number of bytes (`4194304`) or a number with a unit (`512KiB`, `4MiB`,
 * `1.5MB`; KiB/MiB/GiB are powers of 1024, KB/MB/GB of 1000). Returns null when the text is not one.
 */
export function parseByteSize(text: string): number | null {
  if (text.length > 32) return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (match === null) return null;
  const unit = match[2]!.toLowerCase();
  const scale = unit === '' ? 1 : UNIT_BYTES[unit];
  if (scale === undefined) return null;
  const bytes = Number(match[1]) * scale;
  return Number.isSafeInteger(bytes) ? bytes : null;
}

