import { execFileSync } from 'node:child_process';
import { systemProgram } from '../../system-program.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { loadPcap, PCAP_IF_LOOPBACK, PCAP_IF_RUNNING, PCAP_IF_UP } from '../live/pcap-addon.js';

/** One network interface as `-interfaces` shows it. */
export interface InterfaceInfo {
  name: string;
  /** Addresses in CIDR notation (`192.0.2.1/24`, `fe80::1/64`), IPv4 first. */
  addresses: string[];
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** Has a carrier / operational (IFF_RUNNING). */
  running: boolean;
  loopback: boolean;
}

const SYS_NET = '/sys/class/net';
const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
const IFF_RUNNING = 0x40;

/** Linux's capture-everything pseudo-device (Linux cooked headers). */
export const ANY_INTERFACE = 'any';

/**
 * The host's network interfaces in kernel order (lo first), with addresses and state. Linux reads
 * /sys/class/net; elsewhere libpcap's device list is used.
 */
export function listInterfaces(): InterfaceInfo[] {
  const addresses = networkInterfaces();
  const addressesOf = (name: string): string[] =>
    (addresses[name] ?? [])
      .filter((a) => a.cidr !== null)
      .sort((a, b) => (a.family === b.family ? 0 : a.family === 'IPv4' ? -1 : 1))
      .map((a) => a.cidr as string);
  if (existsSync(SYS_NET)) {
    return readdirSync(SYS_NET)
      .map((name) => ({ name, index: readNumber(`${SYS_NET}/${name}/ifindex`, 10), flags: readNumber(`${SYS_NET}/${name}/flags`, 16) }))
      .sort((a, b) => a.index - b.index)
      .map(({ name, flags }) => ({
        name,
        addresses: addressesOf(name),
        up: (flags & IFF_UP) !== 0,
        // sysfs `flags` never shows IFF_RUNNING (the kernel adds it only in ioctl answers): operstate does.
        running: (flags & IFF_RUNNING) !== 0 || isOperational(name),
        loopback: (flags & IFF_LOOPBACK) !== 0,
      }));
  }
  return loadPcap()
    .devices()
    .filter((d) => d.name !== ANY_INTERFACE)
    .map((d) => ({
      name: d.name,
      addresses: addressesOf(d.name),
      up: (d.flags & PCAP_IF_UP) !== 0,
      running: (d.flags & PCAP_IF_RUNNING) !== 0,
      loopback: (d.flags & PCAP_IF_LOOPBACK) !== 0,
    }));
}

/**
 * libpcap's own device names (pcap_findalldevs: `any` and pseudo-devices such as nflog among them);
 * null when the capture addon cannot be loaded.
 */
export function captureDeviceNames(): { name: string; description: string }[] | null {
  try {
    return loadPcap()
      .devices()
      .map((d) => ({ name: d.name, description: d.description }));
  } catch {
    return null;
  }
}

/** RFC 2863 operational state: `up`, or `unknown` for devices without carrier detection (lo, tun). */
function isOperational(name: string): boolean {
  try {
    const state = readFileSync(`${SYS_NET}/${name}/operstate`, 'utf8').trim();
    return state === 'up' || state === 'unknown';
  } catch {
    return false;
  }
}

/**
 * Addresses configured on every interface, down ones included (`os.networkInterfaces()` lists only
 * interfaces that are up), from iproute2's JSON output; null where `ip` is not available.
 */
export function configuredAddresses(): Map<string, string[]> | null {
  const ip = systemProgram('ip');
  if (ip === null) return null;
  let text: string;
  try {
    text = execFileSync(ip, ['-j', 'addr', 'show'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
  try {
    const links = JSON.parse(text) as Array<{ ifname?: string; addr_info?: Array<{ family?: string; local?: string; prefixlen?: number }> }>;
    const out = new Map<string, string[]>();
    for (const link of links) {
      if (typeof link.ifname !== 'string') continue;
      const infos = (link.addr_info ?? []).filter((a) => typeof a.local === 'string' && typeof a.prefixlen === 'number');
      infos.sort((a, b) => (a.family === b.family ? 0 : a.family === 'inet' ? -1 : 1));
      out.set(link.ifname, infos.map((a) => `${a.local}/${a.prefixlen}`));
    }
    return out;
  } catch {
    return null;
  }
}

/** Names that `-network` accepts on this host: every interface, plus `any` on Linux. */
export function captureInterfaceNames(interfaces: readonly InterfaceInfo[] = listInterfaces()): string[] {
  const names = interfaces.map((i) => i.name);
  return process.platform === 'linux' ? [...names, ANY_INTERFACE] : names;
}

/** "interface eth9 not found; available: lo, eth0" */
export function interfaceNotFoundMessage(name: string, interfaces: readonly InterfaceInfo[] = listInterfaces()): string {
  const available = interfaces.map((i) => i.name).join(', ');
  return `interface ${name} not found; available: ${available === '' ? '(none)' : available}`;
}

/** The kernel's index of an interface, which a rename keeps; null when there is no such interface (or no sysfs). */
export function interfaceIndex(name: string): number | null {
  if (name === ANY_INTERFACE || name.includes('/')) return null;
  const index = readNumber(`${SYS_NET}/${name}/ifindex`, 10);
  return index > 0 ? index : null;
}

/** The current name of the interface with that index; null when it is gone. */
export function interfaceNameOfIndex(index: number): string | null {
  let names: string[];
  try {
    names = readdirSync(SYS_NET);
  } catch {
    return null;
  }
  return names.find((name) => readNumber(`${SYS_NET}/${name}/ifindex`, 10) === index) ?? null;
}

function readNumber(path: string, radix: number): number {
  try {
    const value = parseInt(readFileSync(path, 'utf8').trim(), radix);
    return Number.isFinite(value) ? value : 0;
  } catch {
    return 0;
  }
}

const RTF_UP = 0x1;
const RTF_REJECT = 0x200;

/**
 * The interface of the IPv4 default route in /proc/net/route text (lowest metric wins), or null.
 * Columns: Iface Destination Gateway Flags RefCnt Use Metric Mask ...
 */
export function defaultRouteFromIpv4Table(text: string): string | null {
  let best: { name: string; metric: number } | null = null;
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [name, destination, , flags, , , metric, mask] = f as [string, string, string, string, string, string, string, string];
    if (destination !== '00000000' || mask !== '00000000') continue;
    const flagBits = parseInt(flags, 16);
    if ((flagBits & RTF_UP) === 0 || (flagBits & RTF_REJECT) !== 0) continue;
    const m = parseInt(metric, 10);
    if (best === null || m < best.metric) best = { name, metric: m };
  }
  return best?.name ?? null;
}

/**
 * The interface of the IPv6 default route in /proc/net/ipv6_route text, or null. Columns: destination,
 * prefix length, source, source prefix length, next hop, metric, refcount, use, flags, interface
 * (all hex). The kernel's "unreachable" default on `lo` carries RTF_REJECT and is skipped.
 */
export function defaultRouteFromIpv6Table(text: string): string | null {
  let best: { name: string; metric: number } | null = null;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [destination, prefix, , , , metric, , , flags, name] = f as [string, string, string, string, string, string, string, string, string, string];
    if (!/^0{32}$/.test(destination) || prefix !== '00' || name === 'lo') continue;
    const flagBits = parseInt(flags, 16);
    if ((flagBits & RTF_UP) === 0 || (flagBits & RTF_REJECT) !== 0) continue;
    const m = parseInt(metric, 16);
    if (best === null || m < best.metric) best = { name, metric: m };
  }
  return best?.name ?? null;
}

/** The interface that carries the default route (IPv4 first, then IPv6), or null when there is none. */
export function defaultRouteInterface(): string | null {
  const read = (path: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  };
  return defaultRouteFromIpv4Table(read('/proc/net/route')) ?? defaultRouteFromIpv6Table(read('/proc/net/ipv6_route'));
}

/** A `-network` value that names no usable interface. */
export class InterfaceSelectionError extends Error {
  override readonly name = 'InterfaceSelectionError';
  readonly exitCode = 2;
}

/**
 * Turns the `-network` option into interface names: a comma-separated list, or the default route's
 * interface when empty. Checks each name exists; duplicates are removed.
 */
export function resolveInterfaces(option: string | undefined, interfaces: readonly InterfaceInfo[] = listInterfaces()): string[] {
  const requested = (option ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (requested.length === 0) {
    const fallback = defaultRouteInterface();
    if (fallback === null) throw new InterfaceSelectionError('no default route to pick an interface from; name one with -network (see -interfaces)');
    requested.push(fallback);
  }
  const known = new Set(captureInterfaceNames(interfaces));
  for (const name of requested) {
    if (!known.has(name)) throw new InterfaceSelectionError(interfaceNotFoundMessage(name, interfaces));
  }
  return [...new Set(requested)];
}
