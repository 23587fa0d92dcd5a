import { closeSync, openSync, readSync } from 'node:fs';

/**
 * The floor a JavaScript replay can reach: `readSync` in 1 MiB chunks, walk little-endian pcap records,
 * find SYN-without-ACK in Ethernet (VLAN tags), IPv4 and IPv6 (no extension headers), count. No windows,
 * no sinks, no bounds checks beyond the record. Prints `{"frames":N,"syns":M}`.
 * Usage: node bare-loop.js FILE
 */

const CHUNK = 1 << 20;
const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: bare-loop FILE\n');
  process.exit(2);
}

const counts = countSyns(file);
process.stdout.write(JSON.stringify(counts) + '\n');

/** The whole loop in one function, so every counter is a register, not a module variable. */
function countSyns(path: string): { frames: number; syns: number } {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(CHUNK);
  let filled = readSync(fd, buf, 0, 24, null);
  if (filled !== 24 || buf.readUInt32LE(0) !== 0xa1b2c3d4) {
    process.stderr.write(`${path}: not a little-endian microsecond pcap\n`);
    process.exit(2);
  }
  filled = 0;
  let frames = 0;
  let syns = 0;
  for (;;) {
    const n = readSync(fd, buf, filled, CHUNK - filled, null);
    if (n === 0) break;
    filled += n;
    let pos = 0;
    while (pos + 16 <= filled) {
      const caplen = buf[pos + 8]! | (buf[pos + 9]! << 8) | (buf[pos + 10]! << 16) | (buf[pos + 11]! << 24);
      const next = pos + 16 + caplen;
      if (next > filled) break;
      frames++;
      if (isSyn(buf, pos + 16, next)) syns++;
      pos = next;
    }
    buf.copyWithin(0, pos, filled);
    filled -= pos;
  }
  closeSync(fd);
  return { frames, syns };
}

function isSyn(b: Buffer, p: number, end: number): boolean {
  if (p + 14 > end) return false;
  let type = (b[p + 12]! << 8) | b[p + 13]!;
  p += 14;
  while (type === 0x8100 || type === 0x88a8) {
    type = (b[p + 2]! << 8) | b[p + 3]!;
    p += 4;
  }
  if (type === 0x0800) {
    const ihl = (b[p]! & 15) << 2;
    if (b[p + 9] !== 6 || ((b[p + 6]! & 0x1f) | b[p + 7]!) !== 0 || p + ihl + 14 > end) return false;
    return (b[p + ihl + 13]! & 0x12) === 0x02;
  }
  if (type === 0x86dd) {
    if (b[p + 6] !== 6 || p + 54 > end) return false;
    return (b[p + 53]! & 0x12) === 0x02;
  }
  return false;
}
