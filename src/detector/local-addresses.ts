import { isIPv4, isIPv6 } from 'node:net';

/** One prefix: IPv4 in word 0, IPv6 in words 0..3; `bits` is the prefix length. */
interface Prefix {
  readonly words: Uint32Array;
  readonly bits: number;
}

/**
 * The set of addresses that count as "this host", held as integer prefixes so the per-packet check
 * compares numbers, never strings.
 */
export class LocalAddresses {
  private readonly v4: Prefix[] = [];
  private readonly v6: Prefix[] = [];
  readonly text: string[] = [];

  /** Parses a list of addresses and CIDR prefixes; throws a RangeError naming the first bad entry. */
  static parse(entries: readonly string[]): LocalAddresses {
    const set = new LocalAddresses();
    for (const raw of entries) {
      const entry = raw.trim();
      if (entry === '') continue;
      set.add(entry);
    }
    return set;
  }

  add(entry: string): void {
    const slash = entry.indexOf('/');
    const address = slash === -1 ? entry : entry.slice(0, slash);
    const lengthText = slash === -1 ? null : entry.slice(slash + 1);
    const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : 0;
    if (family === 0) throw new RangeError(`invalid local address "${entry}": not an IPv4 or IPv6 address`);
    const max = family === 4 ? 32 : 128;
    const bits = lengthText === null ? max : Number(lengthText);
    if (lengthText !== null && (!/^\d{1,3}$/.test(lengthText) || bits > max)) {
      throw new RangeError(`invalid local address "${entry}": prefix length must be 0..${max}`);
    }
    const words = family === 4 ? new Uint32Array([ipv4ToInt(address)]) : ipv6ToWords(address);
    maskWords(words, bits);
    (family === 4 ? this.v4 : this.v6).push({ words, bits });
    this.text.push(entry);
  }

  get size(): number {
    return this.v4.length + this.v6.length;
  }

  isLocal4(address: number): boolean {
    const list = this.v4;
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      const mask = p.bits === 0 ? 0 : (0xffffffff << (32 - p.bits)) >>> 0;
      if (((address & mask) >>> 0) === p.words[0]) return true;
    }
    return false;
  }

  isLocal6(address: Uint32Array): boolean {
    const list = this.v6;
    for (let i = 0; i < list.length; i++) {
      if (prefixMatches(list[i]!, address)) return true;
    }
    return false;
  }
}

function prefixMatches(p: Prefix, address: Uint32Array): boolean {
  let remaining = p.bits;
  for (let w = 0; w < 4 && remaining > 0; w++) {
    const take = remaining >= 32 ? 32 : remaining;
    const mask = (0xffffffff << (32 - take)) >>> 0;
    if (((address[w]! & mask) >>> 0) !== p.words[w]) return false;
    remaining -= take;
  }
  return true;
}

function maskWords(words: Uint32Array, bits: number): void {
  let remaining = bits;
  for (let w = 0; w < words.length; w++) {
    const take = remaining >= 32 ? 32 : remaining < 0 ? 0 : remaining;
    words[w] = take === 0 ? 0 : (words[w]! & ((0xffffffff << (32 - take)) >>> 0)) >>> 0;
    remaining -= 32;
  }
}

export function ipv4ToInt(address: string): number {
  const parts = address.split('.');
  return (((Number(parts[0]) << 24) | (Number(parts[1]) << 16) | (Number(parts[2]) << 8) | Number(parts[3])) >>> 0);
}

/** Parses a valid IPv6 text (as accepted by net.isIPv6; a zone id is ignored) into four words. */
export function ipv6ToWords(address: string): Uint32Array {
  let text = address;
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  // An embedded IPv4 tail (::ffff:1.2.3.4) is rewritten as two hex groups.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = ipv4ToInt(tail);
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const double = text.indexOf('::');
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const groups = new Array<number>(8).fill(0);
  if (double === -1) {
    parse(text).forEach((g, i) => (groups[i] = g));
  } else {
    const head = parse(text.slice(0, double));
    const rest = parse(text.slice(double + 2));
    head.forEach((g, i) => (groups[i] = g));
    rest.forEach((g, i) => (groups[8 - rest.length + i] = g));
  }
  const words = new Uint32Array(4);
  for (let w = 0; w < 4; w++) words[w] = ((groups[2 * w]! << 16) | groups[2 * w + 1]!) >>> 0;
  return words;
}
