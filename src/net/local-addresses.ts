import { parseIPv4, parseIPv6 } from './ip-text.js';

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
    const v4 = parseIPv4(address);
    const v6 = v4 === null ? parseIPv6(address) : null;
    if (v4 === null && v6 === null) throw new RangeError(`invalid local address "${entry}": not an IPv4 or IPv6 address`);
    const family = v4 !== null ? 4 : 6;
    const max = family === 4 ? 32 : 128;
    const bits = lengthText === null ? max : Number(lengthText);
    if (lengthText !== null && (!/^\d{1,3}$/.test(lengthText) || bits > max)) {
      throw new RangeError(`invalid local address "${entry}": prefix length must be 0..${max}`);
    }
    const words = v4 !== null ? new Uint32Array([v4]) : v6!;
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

/** A valid IPv4 text as an unsigned 32-bit integer; throws on anything else. */
export function ipv4ToInt(address: string): number {
  const value = parseIPv4(address);
  if (value === null) throw new RangeError(`not an IPv4 address: "${address}"`);
  return value;
}

/** A valid IPv6 text as four big-endian words; throws on anything else. */
export function ipv6ToWords(address: string): Uint32Array {
  const words = parseIPv6(address);
  if (words === null) throw new RangeError(`not an IPv6 address: "${address}"`);
  return words;
}
