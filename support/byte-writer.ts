// Shared dev tooling (support/): used by both test/ and bench/, shipped by neither.
/** An appending writer of fixed-width integers in one byte order. */
export class ByteWriter {
  readonly littleEndian: boolean;
  private readonly parts: Buffer[] = [];
  length = 0;

  constructor(littleEndian: boolean) {
    this.littleEndian = littleEndian;
  }

  u8(v: number): this {
    return this.push(Buffer.of(v & 0xff));
  }

  u16(v: number): this {
    const b = Buffer.alloc(2);
    if (this.littleEndian) b.writeUInt16LE(v & 0xffff);
    else b.writeUInt16BE(v & 0xffff);
    return this.push(b);
  }

  u32(v: number): this {
    const b = Buffer.alloc(4);
    if (this.littleEndian) b.writeUInt32LE(v >>> 0);
    else b.writeUInt32BE(v >>> 0);
    return this.push(b);
  }

  i64(v: bigint): this {
    const b = Buffer.alloc(8);
    if (this.littleEndian) b.writeBigInt64LE(v);
    else b.writeBigInt64BE(v);
    return this.push(b);
  }

  bytes(v: Uint8Array): this {
    return this.push(Buffer.from(v.buffer, v.byteOffset, v.length));
  }

  zeros(n: number): this {
    return this.push(Buffer.alloc(n));
  }

  /** A pcapng option: code, length, value padded to 4 bytes. */
  option(code: number, value: Uint8Array): this {
    this.u16(code).u16(value.length).bytes(value);
    return this.zeros(((value.length + 3) & ~3) - value.length);
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }

  private push(b: Buffer): this {
    this.parts.push(b);
    this.length += b.length;
    return this;
  }
}
