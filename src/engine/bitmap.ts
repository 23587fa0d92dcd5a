/** A fixed-size set of bits over a Uint32Array: the only data structure the detector keeps. */
export class Bitmap {
  readonly size: number;
  private readonly words: Uint32Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`bitmap size must be a positive integer, got ${size}`);
    }
    this.size = size;
    this.words = new Uint32Array(Math.ceil(size / 32));
  }

  /** Sets bit `i`; the caller guarantees 0 <= i < size. */
  set(i: number): void {
    this.words[i >>> 5]! |= 1 << (i & 31);
  }

  get(i: number): boolean {
    return (this.words[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  /** Number of set bits in [from, to). */
  countRange(from: number, to: number): number {
    let count = 0;
    let i = from;
    // Leading bits up to a word boundary, then whole words, then the tail.
    while (i < to && (i & 31) !== 0) {
      if (this.get(i)) count++;
      i++;
    }
    while (i + 32 <= to) {
      count += popcount32(this.words[i >>> 5]!);
      i += 32;
    }
    while (i < to) {
      if (this.get(i)) count++;
      i++;
    }
    return count;
  }

  count(): number {
    return this.countRange(0, this.size);
  }

  clear(): void {
    this.words.fill(0);
  }

  /** Bytes of bit storage: the detector's state. */
  get byteLength(): number {
    return this.words.byteLength;
  }
}

function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
