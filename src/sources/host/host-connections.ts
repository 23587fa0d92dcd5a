import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';

/** A TCP connection of this host: its two addresses, IPv4 as one word, IPv6 as four, each word in network order. */
export interface HostConnection {
  family: 4 | 6;
  local: Uint32Array;
  remote: Uint32Array;
}

/** Connections read at most: past this many, a host is a load balancer whose later handshakes Peng sees anyway. */
export const MAX_HOST_CONNECTIONS = 65_536;

/** States past the handshake whose segments may still come: ESTABLISHED, FIN_WAIT1/2, CLOSE_WAIT, LAST_ACK, CLOSING. */
const OPEN_STATES = new Set(['01', '04', '05', '08', '09', '0B']);

const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * This host's open TCP connections from the kernel's tables (/proc/net/tcp and tcp6): connections that
 * predate the capture show Peng no handshake, so it must learn them here. A missing or unreadable table
 * is an empty list (another OS, a sandbox); malformed lines are skipped.
 */
export function readHostConnections(files: readonly string[] = ['/proc/net/tcp', '/proc/net/tcp6'], limit = MAX_HOST_CONNECTIONS): HostConnection[] {
  const out: HostConnection[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    const lines = text.split('\n');
    // Line 0 is the column header; the bound stops a table of millions of sockets from costing the start.
    for (let i = 1; i < lines.length && out.length < limit; i++) {
      const f = lines[i]!.trim().split(/\s+/);
      if (f.length < 4 || !OPEN_STATES.has(f[3]!)) continue;
      const local = kernelAddress(f[1]!);
      const remote = kernelAddress(f[2]!);
      if (local !== null && remote !== null && local.length === remote.length) out.push(mapped({ family: local.length === 1 ? 4 : 6, local, remote }));
    }
  }
  return out;
}

/** `0100007F:0016` (IPv4) or 32 hex digits and a port (IPv6): the kernel prints each address word in host byte order. */
function kernelAddress(field: string): Uint32Array | null {
  const hex = field.slice(0, field.indexOf(':'));
  if ((hex.length !== 8 && hex.length !== 32) || !/^[0-9A-Fa-f]+$/.test(hex)) return null;
  const words = new Uint32Array(hex.length / 8);
  for (let w = 0; w < words.length; w++) {
    const v = Number.parseInt(hex.slice(w * 8, w * 8 + 8), 16);
    words[w] = LITTLE_ENDIAN ? (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0 : v;
  }
  return words;
}

/** An IPv6 socket's IPv4-mapped connection (::ffff:a.b.c.d) travels as IPv4. */
function mapped(c: HostConnection): HostConnection {
  const isMapped = (a: Uint32Array): boolean => a[0] === 0 && a[1] === 0 && a[2] === 0xffff;
  if (c.family === 6 && isMapped(c.local) && isMapped(c.remote)) return { family: 4, local: c.local.subarray(3), remote: c.remote.subarray(3) };
  return c;
}
