import type { CaptureFileProblems } from './capture-file-problems.js';

const TWO_POW_32 = 4294967296;
const OPTION_END = 0;
const OPTION_TS_RESOLUTION = 9;
const OPTION_TS_OFFSET = 14;

/**
 * The interfaces of one pcapng section: link type, snap length and timestamp scale of each, indexed by
 * interface id. Timestamps are `high * 2^32 + low` units; converted as
 * `high * highMicros + (high * highRemainder + low) * lowMultiplier / lowDivisor + offsetMicros`,
 * which keeps microsecond and nanosecond files exact to the fraction without BigInt per packet.
 */
export class PcapngInterfaces {
  /** A hostile file may declare interfaces without end; more than this are damage. */
  static readonly MAX = 4096;

  count = 0;
  /** Link type per interface, -1 for an interface whose description was damaged. */
  readonly linkType: number[] = [];
  readonly snapLength: number[] = [];
  private readonly highMicros: number[] = [];
  private readonly highRemainder: number[] = [];
  private readonly lowMultiplier: number[] = [];
  private readonly lowDivisor: number[] = [];
  private readonly offsetMicros: number[] = [];

  /** A new section header starts a new interface list. */
  clear(): void {
    this.count = 0;
    this.linkType.length = this.snapLength.length = this.highMicros.length = 0;
    this.highRemainder.length = this.lowMultiplier.length = this.lowDivisor.length = this.offsetMicros.length = 0;
  }

  /** Timestamp of a packet on interface `id` in microseconds since the epoch. */
  micros(id: number, high: number, low: number): number {
    return (
      high * this.highMicros[id] +
      ((high * this.highRemainder[id] + low) * this.lowMultiplier[id]) / this.lowDivisor[id] +
      this.offsetMicros[id]
    );
  }

  /** Adds the interface described by the Interface Description Block at `pos` (whole block in `view`). */
  addFromBlock(view: DataView, pos: number, total: number, littleEndian: boolean, problems: CaptureFileProblems, base: number): void {
    if (this.count >= PcapngInterfaces.MAX) {
      problems.add('too many interfaces', base + pos, `more than ${PcapngInterfaces.MAX} in one section; ignored`);
      return;
    }
    if (total < 20) {
      problems.add('damaged interface description', base + pos, `block of ${total} bytes; its packets are skipped`);
      this.push(-1, 0, 6, 0);
      return;
    }
    const linkType = view.getUint16(pos + 8, littleEndian);
    const snapLength = view.getUint32(pos + 12, littleEndian);
    let resolution = 6;
    let offsetSeconds = 0;
    const optionsEnd = pos + total - 4;
    let p = pos + 16;
    while (p + 4 <= optionsEnd) {
      const code = view.getUint16(p, littleEndian);
      const length = view.getUint16(p + 2, littleEndian);
      if (code === OPTION_END) break;
      if (p + 4 + length > optionsEnd) {
        problems.add('damaged interface options', base + p, 'option runs past its block; rest ignored');
        break;
      }
      if (code === OPTION_TS_RESOLUTION && length >= 1) resolution = view.getUint8(p + 4);
      else if (code === OPTION_TS_OFFSET && length >= 8) offsetSeconds = Number(view.getBigInt64(p + 4, littleEndian));
      p += 4 + ((length + 3) & ~3);
    }
    this.push(linkType, snapLength, resolution, offsetSeconds);
  }

  private push(linkType: number, snapLength: number, resolution: number, offsetSeconds: number): void {
    this.linkType.push(linkType);
    this.snapLength.push(snapLength);
    this.offsetMicros.push(offsetSeconds * 1e6);
    if (resolution & 0x80) {
      // Units of 2^-e seconds.
      const unitsPerSecond = 2 ** (resolution & 0x7f);
      this.highMicros.push((TWO_POW_32 * 1e6) / unitsPerSecond);
      this.highRemainder.push(0);
      this.lowMultiplier.push(1e6);
      this.lowDivisor.push(unitsPerSecond);
    } else if (resolution <= 6) {
      const microsPerUnit = 10 ** (6 - resolution);
      this.highMicros.push(TWO_POW_32 * microsPerUnit);
      this.highRemainder.push(0);
      this.lowMultiplier.push(microsPerUnit);
      this.lowDivisor.push(1);
    } else {
      // Finer than a microsecond: split 2^32 units into whole microseconds and a remainder so the sum stays exact.
      const unitsPerMicro = 10 ** (resolution - 6);
      const whole = Math.floor(TWO_POW_32 / unitsPerMicro);
      this.highMicros.push(whole);
      this.highRemainder.push(TWO_POW_32 - whole * unitsPerMicro);
      this.lowMultiplier.push(1);
      this.lowDivisor.push(unitsPerMicro);
    }
    this.count++;
  }
}
