/** RFC 1952 member header flags. */
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const RESERVED_FLAGS = 0xe0;
const CM_DEFLATE = 8;
/** A hostile header could claim an endless name; no real gzip writes one this long. */
export const MAX_GZIP_HEADER = 128 * 1024;

export const GZIP_MAGIC_0 = 0x1f;
export const GZIP_MAGIC_1 = 0x8b;

/** Parsing a member header: its length once complete, `need` while bytes are missing, or why it is damaged. */
export type GzipHeaderResult = { length: number } | { need: true } | { damage: string };

/** Parses the gzip member header at the start of `buf` (RFC 1952 section 2.3). */
export function parseGzipHeader(buf: Uint8Array): GzipHeaderResult {
  if (buf.length < 10) return buf.length >= 2 && !isGzipMagic(buf) ? { damage: 'no gzip magic' } : { need: true };
  if (!isGzipMagic(buf)) return { damage: 'no gzip magic' };
  if (buf[2] !== CM_DEFLATE) return { damage: `compression method ${buf[2]}, not deflate` };
  const flags = buf[3];
  if (flags & RESERVED_FLAGS) return { damage: `reserved header flags 0x${flags.toString(16)}` };
  let pos = 10;
  if (flags & FEXTRA) {
    if (buf.length < pos + 2) return { need: true };
    pos += 2 + (buf[pos] | (buf[pos + 1] << 8));
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue;
    const zero = pos < buf.length ? buf.indexOf(0, pos) : -1;
    if (zero < 0) return buf.length >= MAX_GZIP_HEADER ? { damage: 'header name or comment without end' } : { need: true };
    pos = zero + 1;
  }
  if (flags & FHCRC) pos += 2;
  return buf.length < pos ? { need: true } : { length: pos };
}

export function isGzipMagic(buf: Uint8Array): boolean {
  return buf[0] === GZIP_MAGIC_0 && buf[1] === GZIP_MAGIC_1;
}
