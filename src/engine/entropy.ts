/**
 * The seed's per-bin entropy: binary entropy of the fraction of bits set, flipped to 2 - h when more
 * bits are set than clear, so the range 0..2 also tells how full the bin is.
 */
export function binEntropy(bitsSet: number, bitsPerBin: number): number {
  const p1 = bitsSet / bitsPerBin;
  const p0 = 1 - p1;
  if (p1 === 0 || p0 === 0) {
    // The seed returns 0 for an empty bin and, through the flip, 2 for a full one.
    return p1 > p0 ? 2 : 0;
  }
  const h = -(p1 * Math.log2(p1) + p0 * Math.log2(p0));
  return p1 > p0 ? 2 - h : h;
}
