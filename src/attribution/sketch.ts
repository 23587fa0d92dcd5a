import type { ProbeRecord } from '../packets/probe-record.js';

/**
 * Small fixed sketches for every table entry, packed in one array per purpose so the table allocates only at
 * start. Linear counting (Whang et al. 1990): the number of distinct items is estimated from the share of
 * bits still clear; exact for a handful, within a few per cent up to about the sketch's size in bits.
 */
export class SketchArray {
  readonly bits: number;
  private readonly words: number;
  private readonly data: Uint32Array;
  /** Bits set per entry, kept as they are set so an estimate costs no popcount. */
  private readonly setBits: Uint32Array;

  constructor(entries: number, bits: number) {
    if (bits < 32 || (bits & (bits - 1)) !== 0) throw new RangeError(`sketch size must be a power of two of at least 32 bits, got ${bits}`);
    this.bits = bits;
    this.words = bits >>> 5;
    this.data = new Uint32Array(entries * this.words);
    this.setBits = new Uint32Array(entries);
  }

  /** Adds an item by its 32-bit hash; true when it set a new bit (an item not seen before, most likely). */
  add(entry: number, hash: number): boolean {
    const bit = hash & (this.bits - 1);
    const word = entry * this.words + (bit >>> 5);
    const mask = 1 << (bit & 31);
    if ((this.data[word]! & mask) !== 0) return false;
    this.data[word] = this.data[word]! | mask;
    this.setBits[entry]++;
    return true;
  }

  /** A Bloom-style membership test with the same single bit (false positives grow as the sketch fills). */
  has(entry: number, hash: number): boolean {
    const bit = hash & (this.bits - 1);
    return (this.data[entry * this.words + (bit >>> 5)]! & (1 << (bit & 31))) !== 0;
  }

  /** Distinct items added, estimated; a full sketch reports its ceiling m ln m. */
  estimate(entry: number): number {
    const set = this.setBits[entry]!;
    if (set === 0) return 0;
    const clear = this.bits - set;
    if (clear === 0) return Math.round(this.bits * Math.log(this.bits));
    return Math.max(set, Math.round(-this.bits * Math.log(clear / this.bits)));
  }

  /** Bits set: a cheap monotone stand-in for the estimate when ranking. */
  filled(entry: number): number {
    return this.setBits[entry]!;
  }

  clear(entry: number): void {
    this.data.fill(0, entry * this.words, (entry + 1) * this.words);
    this.setBits[entry] = 0;
  }

  get bytes(): number {
    return this.data.byteLength + this.setBits.byteLength;
  }
}

/** Murmur3's 32-bit finaliser: every input bit moves every output bit. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** An address (IPv4 as one word, IPv6 as four) hashed to 32 bits. */
export function hashAddress(family: number, v4: number, v6: Uint32Array): number {
  if (family === 4) return mix32(v4 ^ 0x5bd1e995);
  return mix32(v6[0]! ^ mix32(v6[1]! ^ mix32(v6[2]! ^ mix32(v6[3]!))));
}

/** An address given as words (IPv4: one, IPv6: four), hashed as hashAddress does. */
export function hashWords(family: 4 | 6, words: Uint32Array): number {
  return hashAddress(family, words[0]!, words);
}

/** A probe record's source address, hashed as hashAddress does. */
export function sourceHash(r: ProbeRecord): number {
  return hashAddress(r.family, r.src4, r.src6);
}

/** A probe record's destination address, hashed as hashAddress does. */
export function destinationHash(r: ProbeRecord): number {
  return hashAddress(r.family, r.dst4, r.dst6);
}
