/**
 * Source address → table entry, by open addressing with linear probing over a fixed array twice the table's
 * size (so probes stay short), with backward-shift deletion (no tombstones to pile up under churn).
 * Addresses are four 32-bit words; IPv4 is stored as the IPv4-mapped IPv6 address.
 */
export class SourceIndex {
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** Entry → its four address words, owned here so a lookup compares integers only. */
  readonly keys: Uint32Array;
  /** The key `load` set (scratch: a lookup allocates nothing) and its hash. */
  private readonly loaded = new Uint32Array(4);
  private loadedHash = 0;

  constructor(entries: number) {
    let size = 2;
    while (size < entries * 2) size *= 2;
    this.slots = new Int32Array(size); // entry + 1; 0 = empty
    this.mask = size - 1;
    this.keys = new Uint32Array(entries * 4);
  }

  /** Loads an address as the key of the next findLoaded/insertLoaded (IPv4 as ::ffff:a.b.c.d); returns its hash. */
  load(family: number, v4: number, v6: Uint32Array): number {
    const k = this.loaded;
    if (family === 4) {
      k[0] = 0;
      k[1] = 0;
      k[2] = 0xffff;
      k[3] = v4;
    } else {
      k.set(v6);
    }
    return (this.loadedHash = keyHash(k[0]!, k[1]!, k[2]!, k[3]!));
  }

  findLoaded(): number {
    const k = this.loaded;
    return this.find(k[0]!, k[1]!, k[2]!, k[3]!, this.loadedHash);
  }

  insertLoaded(entry: number): void {
    const k = this.loaded;
    this.insert(entry, k[0]!, k[1]!, k[2]!, k[3]!, this.loadedHash);
  }

  /** The entry holding `key`, or -1. */
  find(k0: number, k1: number, k2: number, k3: number, hash: number): number {
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const slot = this.slots[i]!;
      if (slot === 0) return -1;
      if (this.matches(slot - 1, k0, k1, k2, k3)) return slot - 1;
    }
  }

  /** Files `entry` under `key` (the caller made sure it is absent and that a slot is free). */
  insert(entry: number, k0: number, k1: number, k2: number, k3: number, hash: number): void {
    const keys = this.keys;
    keys[entry * 4] = k0;
    keys[entry * 4 + 1] = k1;
    keys[entry * 4 + 2] = k2;
    keys[entry * 4 + 3] = k3;
    let i = hash & this.mask;
    while (this.slots[i] !== 0) i = (i + 1) & this.mask;
    this.slots[i] = entry + 1;
  }

  /** Removes `entry`, found under `hash`, shifting later members of its run back so lookups never stop early. */
  remove(entry: number, hash: number): void {
    let i = hash & this.mask;
    while (this.slots[i] !== entry + 1) i = (i + 1) & this.mask;
    for (let j = (i + 1) & this.mask; this.slots[j] !== 0; j = (j + 1) & this.mask) {
      const home = this.hashOf(this.slots[j]! - 1) & this.mask;
      // Move j into the hole at i when its home is not in the cyclic range (i, j].
      const between = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!between) {
        this.slots[i] = this.slots[j]!;
        i = j;
      }
    }
    this.slots[i] = 0;
  }

  get bytes(): number {
    return this.slots.byteLength + this.keys.byteLength;
  }

  /** The hash a key was filed under; the table hashes the same way. */
  hashOf(entry: number): number {
    const k = this.keys;
    return keyHash(k[entry * 4]!, k[entry * 4 + 1]!, k[entry * 4 + 2]!, k[entry * 4 + 3]!);
  }

  private matches(entry: number, k0: number, k1: number, k2: number, k3: number): boolean {
    const k = this.keys;
    const at = entry * 4;
    return k[at] === k0 && k[at + 1] === k1 && k[at + 2] === k2 && k[at + 3] === k3;
  }
}

/** A key's 32-bit hash (murmur3 finalisers chained over the words). */
export function keyHash(k0: number, k1: number, k2: number, k3: number): number {
  let h = (k0 ^ 0x9e3779b9) >>> 0;
  h = Math.imul(Math.imul(h ^ (h >>> 16), 0x85ebca6b) ^ k1, 0xc2b2ae35);
  h = Math.imul(Math.imul(h ^ (h >>> 13), 0x85ebca6b) ^ k2, 0xc2b2ae35);
  h = Math.imul(Math.imul(h ^ (h >>> 16), 0x85ebca6b) ^ k3, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
