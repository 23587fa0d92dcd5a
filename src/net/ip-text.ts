/**
 * Strict IP address text parsers that yield integers directly. They replace `node:net`'s isIPv4/isIPv6,
 * whose module and first call cost several milliseconds of start-up, and parse only once.
 */

/** Dotted-quad IPv4 (`192.0.2.1`, no leading zeros) as an unsigned 32-bit integer, or null. */
export function parseIPv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return value;
}

/**
 * IPv6 text (RFC 4291 forms: full, `::`-compressed, IPv4 tail; a `%zone` suffix is ignored) as four
 * big-endian 32-bit words, or null.
 */
export function parseIPv6(text: string): Uint32Array | null {
  const zone = text.indexOf('%');
  let body = zone === -1 ? text : text.slice(0, zone);
  if (zone !== -1 && zone === text.length - 1) return null;
  // An IPv4 tail stands for the last two groups.
  let tail: number[] = [];
  const lastColon = body.lastIndexOf(':');
  if (lastColon !== -1 && body.indexOf('.', lastColon) !== -1) {
    const v4 = parseIPv4(body.slice(lastColon + 1));
    if (v4 === null) return null;
    tail = [Math.floor(v4 / 65536), v4 % 65536];
    const head = body.slice(0, lastColon + 1);
    body = head.endsWith('::') ? head : head.slice(0, -1);
  }
  const double = body.indexOf('::');
  if (double !== -1 && body.indexOf('::', double + 1) !== -1) return null;
  const groupsOf = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[];
  if (double === -1) {
    const all = groupsOf(body);
    if (all === null) return null;
    groups = [...all, ...tail];
    if (groups.length !== 8) return null;
  } else {
    const head = groupsOf(body.slice(0, double));
    const rest = groupsOf(body.slice(double + 2));
    if (head === null || rest === null) return null;
    const known = head.length + rest.length + tail.length;
    if (known > 7) return null;
    groups = [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
  }
  const words = new Uint32Array(4);
  for (let w = 0; w < 4; w++) words[w] = groups[2 * w]! * 65536 + groups[2 * w + 1]!;
  return words;
}

/** An unsigned 32-bit IPv4 address as dotted-quad text. */
export function formatIPv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}

/** Four big-endian words as RFC 5952 text: lower case, the longest run of two or more zero groups as `::`. */
export function formatIPv6(words: ArrayLike<number>): string {
  const groups: number[] = [];
  for (let i = 0; i < 4; i++) groups.push((words[i]! >>> 16) & 0xffff, words[i]! & 0xffff);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const text = (from: number, to: number): string => groups.slice(from, to).map((g) => g.toString(16)).join(':');
  if (bestStart === -1) return text(0, 8);
  return `${text(0, bestStart)}::${text(bestStart + bestLength, 8)}`;
}
