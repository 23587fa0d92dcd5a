import { mix32 } from './sketch.js';

/** Counters of the frequency sketch per table entry (16 KiB at the default 1024 sources). */
const COUNTERS_PER_ENTRY = 16;
/** The counters are halved after this many sightings per table entry, so the sketch follows recent traffic. */
const AGING_PER_ENTRY = 10;

/**
 * TinyLFU admission (Einziger, Friedman and Manes, 2017): how often each source was seen lately, estimated in
 * a fixed count-min sketch of two rows. A full table takes a newcomer only when it was seen more often than
 * the entry it would replace, so traffic from more sources than the table holds does not churn it (every
 * eviction would cost more than the probe), while a source that keeps probing is admitted within a probe or two.
 */
export class SourceAdmission {
  private readonly counters: Uint8Array;
  private readonly mask: number;
  private readonly agingPeriod: number;
  private sightings = 0;

  constructor(capacity: number) {
    let size = 256;
    while (size < capacity * COUNTERS_PER_ENTRY) size *= 2;
    this.counters = new Uint8Array(size);
    this.mask = size - 1;
    this.agingPeriod = capacity * AGING_PER_ENTRY;
  }

  /** One more sighting of the source whose table hash is `hash`; returns its estimated frequency. */
  see(hash: number): number {
    const a = hash & this.mask;
    const b = mix32(hash) & this.mask;
    if (this.counters[a]! < 255) this.counters[a]++;
    if (this.counters[b]! < 255) this.counters[b]++;
    if (++this.sightings >= this.agingPeriod) this.age();
    return Math.min(this.counters[a]!, this.counters[b]!);
  }

  /** The estimated frequency of a source without counting a sighting. */
  frequency(hash: number): number {
    return Math.min(this.counters[hash & this.mask]!, this.counters[mix32(hash) & this.mask]!);
  }

  get bytes(): number {
    return this.counters.byteLength;
  }

  private age(): void {
    this.sightings = 0;
    for (let i = 0; i < this.counters.length; i++) this.counters[i] = this.counters[i]! >>> 1;
  }
}
