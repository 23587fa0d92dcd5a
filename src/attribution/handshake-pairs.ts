import { mix32 } from './sketch.js';

/**
 * Address pairs seen in a TCP handshake (a SYN or SYN-ACK either way), so the pure ACKs and FIN+ACKs of
 * their connections skip the scan table before any lookup: they are never evidence, and they are most of
 * what a busy link carries. Direct-mapped with a 32-bit fingerprint per slot, the newest pair winning a
 * slot: a pair pushed out only sends its ACKs through the table's own checks, as before this filter, and a
 * false match needs two pairs with the same slot and the same 32-bit hash.
 */
export class HandshakePairs {
  private readonly slots: Uint32Array;
  private readonly mask: number;

  /** `slots` is rounded up to a power of two. */
  constructor(slots: number) {
    let size = 64;
    while (size < slots) size *= 2;
    this.slots = new Uint32Array(size);
    this.mask = size - 1;
  }

  /** Notes the pair of two address hashes (either order). */
  add(a: number, b: number): void {
    const h = pairHash(a, b);
    this.slots[(h >>> 1) & this.mask] = h; // bit 0 is always set (never 0): the slot comes from the bits above it
  }

  /** Whether the pair was noted and not pushed out since. */
  has(a: number, b: number): boolean {
    const h = pairHash(a, b);
    return this.slots[(h >>> 1) & this.mask] === h;
  }

  get bytes(): number {
    return this.slots.byteLength;
  }
}

/** Symmetric in its arguments; never 0, so an empty slot matches nothing. */
function pairHash(a: number, b: number): number {
  const lo = a < b ? a : b;
  const hi = a < b ? b : a;
  return (mix32(lo ^ Math.imul(hi, 0x9e3779b1)) | 1) >>> 0;
}
