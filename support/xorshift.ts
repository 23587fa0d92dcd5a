// Shared dev tooling (support/): used by both test/ and bench/, shipped by neither.
/**
 * A seeded xorshift32 generator: deterministic random numbers for fuzz and property tests.
 * Not for anything that needs real randomness.
 */
export class Xorshift32 {
  private state: number;

  constructor(seed: number) {
    // A zero state would stay zero forever.
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** The next unsigned 32-bit value. */
  nextU32(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** An integer in [0, n), for n up to 2^32. */
  below(n: number): number {
    return Math.floor((this.nextU32() / 0x1_0000_0000) * n);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.nextU32() < p * 0x1_0000_0000;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  fill(bytes: Uint8Array, from = 0, to = bytes.length): void {
    for (let i = from; i < to; i++) bytes[i] = this.nextU32() & 0xff;
  }
}
