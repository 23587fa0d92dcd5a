import { Bitmap } from './bitmap.js';
import { binEntropy } from './entropy.js';

/** Maps a destination port to a position 0..size-1 in the bitmap; must allocate nothing. */
export type PortHash = (port: number, bins: number, size: number) => number;

/** The seed's hash: `floor(port / bins) mod size`. */
export const defaultPortHash: PortHash = (port, bins, size) => Math.floor(port / bins) % size;

export interface PortBitmapOptions {
  /** Number of bins the bitmap is split into (seed default 16). */
  bins: number;
  /** Total bits (seed default 1024); must be a multiple of `bins`. */
  size: number;
  /** Optional user hash; validated at construction on a sample of ports. */
  hash?: PortHash;
}

/** Summary of one bitmap at a window's end. */
export interface BitmapSummary {
  entropy: number;
  binEntropies: number[];
  bitsSetPerBin: number[];
  bitsSet: number;
}

export const MAX_SIZE = 65536;

/** Checks bins/size the way the CLI and the library both need; returns an error message or null. */
export function checkShape(bins: number, size: number): string | null {
  if (!Number.isInteger(bins) || bins < 1) return `bin must be an integer >= 1, got ${bins}`;
  if (!Number.isInteger(size) || size < 1) return `size must be an integer >= 1, got ${size}`;
  if (size > MAX_SIZE) return `size must be at most ${MAX_SIZE} (one bit per port), got ${size}`;
  if (size < bins) return `size (${size}) must be at least bin (${bins})`;
  if (size % bins !== 0) return `size (${size}) must be a multiple of bin (${bins})`;
  return null;
}

/**
 * The seed's port bitmap: ports hashed into `size` bits split into `bins` bins; entropy per bin,
 * averaged. Synchronous, no I/O, no clock, and nothing allocated per `addPort`.
 */
export class PortBitmap {
  readonly bins: number;
  readonly size: number;
  readonly bitsPerBin: number;
  private readonly bitmap: Bitmap;
  private readonly hash: PortHash;
  /** Set once when a user hash returns an out-of-range position; further bad positions are skipped. */
  private hashError: string | null = null;
  private rejectedPorts = 0;

  constructor(options: PortBitmapOptions) {
    const problem = checkShape(options.bins, options.size);
    if (problem) throw new RangeError(problem);
    this.bins = options.bins;
    this.size = options.size;
    this.bitsPerBin = options.size / options.bins;
    this.bitmap = new Bitmap(options.size);
    this.hash = options.hash ?? defaultPortHash;
    if (options.hash) validateHash(options.hash, this.bins, this.size);
  }

  /** Records a destination port. Returns false when the hash gave an invalid position (counted). */
  addPort(port: number): boolean {
    const m = this.hash(port, this.bins, this.size);
    // `m >>> 0 === m` rejects negatives, fractions, NaN and non-numbers in one integer compare.
    if (m >>> 0 !== m || m >= this.size) {
      this.rejectedPorts++;
      if (this.hashError === null) {
        this.hashError = `port hash returned ${String(m)} for port ${port}; positions must be integers in 0..${this.size - 1}`;
      }
      return false;
    }
    this.bitmap.set(m);
    return true;
  }

  /** Bin index and bit within the bin of a port, as the seed's hash() returns them. */
  locate(port: number): { bin: number; bit: number } {
    const m = this.hash(port, this.bins, this.size);
    return { bin: Math.floor(m / this.bitsPerBin), bit: m % this.bitsPerBin };
  }

  bitsSetInBin(bin: number): number {
    return this.bitmap.countRange(bin * this.bitsPerBin, (bin + 1) * this.bitsPerBin);
  }

  /** Total entropy: the mean of the bins' entropies, 0..2. */
  entropy(): number {
    let sum = 0;
    for (let b = 0; b < this.bins; b++) sum += binEntropy(this.bitsSetInBin(b), this.bitsPerBin);
    return sum / this.bins;
  }

  summary(): BitmapSummary {
    const binEntropies = new Array<number>(this.bins);
    const bitsSetPerBin = new Array<number>(this.bins);
    let sum = 0;
    let bitsSet = 0;
    for (let b = 0; b < this.bins; b++) {
      const set = this.bitsSetInBin(b);
      const h = binEntropy(set, this.bitsPerBin);
      bitsSetPerBin[b] = set;
      binEntropies[b] = h;
      bitsSet += set;
      sum += h;
    }
    return { entropy: sum / this.bins, binEntropies, bitsSetPerBin, bitsSet };
  }

  clear(): void {
    this.bitmap.clear();
  }

  /** The first invalid hash result seen, or null; reported once by the owner. */
  get hashProblem(): string | null {
    return this.hashError;
  }

  get rejected(): number {
    return this.rejectedPorts;
  }

  /** Bytes of bitmap state. */
  get stateBytes(): number {
    return this.bitmap.byteLength;
  }
}

/** Throws a RangeError naming the first bad port of a sample, so a broken user hash fails at start. */
export function validateHash(hash: PortHash, bins: number, size: number): void {
  const sample = [0, 1, 2, 22, 80, 443, 1023, 1024, 8080, 32767, 32768, 49152, 65534, 65535];
  for (let i = 0; i < 64; i++) sample.push((i * 40503 + 17) & 0xffff);
  for (const port of sample) {
    let m: unknown;
    try {
      m = hash(port, bins, size);
    } catch (err) {
      throw new RangeError(`port hash threw for port ${port}: ${(err as Error).message}`);
    }
    if (typeof m !== 'number' || m >>> 0 !== m || m >= size) {
      throw new RangeError(`port hash returned ${String(m)} for port ${port}; positions must be integers in 0..${size - 1}`);
    }
  }
}
