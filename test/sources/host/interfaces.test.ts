import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { NetworkInterfaceInfo } from 'node:os';
import { LocalAddresses, ipv4ToInt } from '../../../src/net/local-addresses.js';
import { interfaceAddresses, LocalAddressWatcher } from '../../../src/sources/host/interface-addresses.js';
import {
  defaultRouteFromIpv4Table,
  defaultRouteFromIpv6Table,
  defaultRouteInterface,
  InterfaceSelectionError,
  listInterfaces,
  resolveInterfaces,
} from '../../../src/sources/host/interfaces.js';
import { captureError, LiveCaptureError, openLiveCapture } from '../../../src/sources/live/live-capture.js';

const ROUTE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
wlan0\t00000000\t0102A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0
`;

const IPV6_ROUTE = `fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth1
00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
`;

test('the default route is read from /proc/net/route, lowest metric first', () => {
  assert.equal(defaultRouteFromIpv4Table(ROUTE), 'eth0');
  assert.equal(defaultRouteFromIpv4Table(ROUTE.split('\n').slice(0, 2).join('\n')), null);
  assert.equal(defaultRouteFromIpv4Table('garbage\n\x00\x01 not a table\n'), null);
});

test('the IPv6 default route skips the kernel\'s unreachable route on lo', () => {
  assert.equal(defaultRouteFromIpv6Table(IPV6_ROUTE), 'eth1');
  assert.equal(defaultRouteFromIpv6Table(IPV6_ROUTE.split('\n')[2]!), null);
});

test('defaultRouteInterface() agrees with `ip route`', () => {
  const out = execFileSync('ip', ['-o', 'route', 'show', 'default'], { encoding: 'utf8' });
  const viaIp = /\bdev (\S+)/.exec(out)?.[1] ?? null;
  if (viaIp !== null) assert.equal(defaultRouteInterface(), viaIp);
});

test('listInterfaces() shows lo first, up, loopback, with its addresses in CIDR form', () => {
  const list = listInterfaces();
  const lo = list[0]!;
  assert.equal(lo.name, 'lo');
  assert.equal(lo.up, true);
  assert.equal(lo.loopback, true);
  assert.ok(lo.addresses.includes('127.0.0.1/8'), lo.addresses.join(' '));
  const viaIp = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => /^\d+: ([^:@]+)/.exec(l)![1]);
  assert.deepEqual(
    list.map((i) => i.name),
    viaIp,
  );
});

test('-network resolves names, removes duplicates, accepts any, and names the available interfaces for a typo', () => {
  assert.deepEqual(resolveInterfaces('lo, lo'), ['lo']);
  assert.deepEqual(resolveInterfaces('lo,any'), ['lo', 'any']);
  const names = listInterfaces().map((i) => i.name);
  assert.throws(
    () => resolveInterfaces('lo,eth9'),
    (e: unknown) => e instanceof InterfaceSelectionError && e.message === `interface eth9 not found; available: ${names.join(', ')}`,
  );
  const fallback = defaultRouteInterface();
  if (fallback !== null) assert.deepEqual(resolveInterfaces(''), [fallback]);
  else assert.throws(() => resolveInterfaces(''), /no default route/);
});

function info(address: string, family: 'IPv4' | 'IPv6', scopeid?: number): NetworkInterfaceInfo {
  const base = { address, netmask: '', mac: '00:00:00:00:00:00', internal: false, cidr: null };
  return family === 'IPv4' ? { ...base, family } : { ...base, family, scopeid: scopeid ?? 0 };
}

test('interface addresses: IPv4 and IPv6 of the named interfaces, zones dropped, any = all', () => {
  const table = {
    eth0: [info('192.0.2.10', 'IPv4'), info('fe80::1%eth0', 'IPv6', 2), info('2001:db8::10', 'IPv6')],
    eth1: [info('198.51.100.7', 'IPv4')],
  };
  assert.deepEqual(interfaceAddresses(['eth0'], table), ['192.0.2.10', '2001:db8::10', 'fe80::1']);
  assert.deepEqual(interfaceAddresses(['any'], table), ['192.0.2.10', '198.51.100.7', '2001:db8::10', 'fe80::1']);
  assert.deepEqual(interfaceAddresses(['eth9'], table), []);
});

test('the address watcher publishes the first set and every change (DHCP renewal), nothing else', () => {
  let table: Record<string, NetworkInterfaceInfo[]> = { eth0: [info('192.0.2.10', 'IPv4')] };
  let failing = false;
  const sets: LocalAddresses[] = [];
  const watcher = new LocalAddressWatcher({
    interfaceNames: ['eth0'],
    intervalMs: 0,
    readTable: () => {
      if (failing) throw new Error('netlink hiccup');
      return table;
    },
    onChange: (list) => sets.push(LocalAddresses.parse(list)),
  });
  assert.deepEqual(watcher.start(), ['192.0.2.10']);
  assert.equal(watcher.refresh(), false);
  table = { eth0: [info('192.0.2.99', 'IPv4'), info('2001:db8::99', 'IPv6')] };
  assert.equal(watcher.refresh(), true);
  failing = true;
  assert.equal(watcher.refresh(), false, 'a failed read keeps the last set');
  watcher.stop();
  assert.equal(sets.length, 2);
  assert.equal(sets[0]!.isLocal4(ipv4ToInt('192.0.2.10')), true);
  assert.equal(sets[1]!.isLocal4(ipv4ToInt('192.0.2.10')), false);
  assert.equal(sets[1]!.isLocal4(ipv4ToInt('192.0.2.99')), true);
  assert.deepEqual(sets[1]!.text, ['192.0.2.99', '2001:db8::99']);
});

test('the address watcher follows a renamed interface by its index and says so once', () => {
  const indexByName = new Map([['eth0', 7]]);
  const table: Record<string, NetworkInterfaceInfo[]> = { eth0: [info('192.0.2.10', 'IPv4')] };
  const renames: string[] = [];
  const sets: string[][] = [];
  const watcher = new LocalAddressWatcher({
    interfaceNames: ['eth0'],
    intervalMs: 0,
    readTable: () => table,
    indexOf: (name) => indexByName.get(name) ?? null,
    nameOf: (index) => [...indexByName].find(([, i]) => i === index)?.[0] ?? null,
    onChange: (list) => sets.push([...list]),
    onRename: (from, to) => renames.push(`${from}->${to}`),
  });
  watcher.start();
  indexByName.delete('eth0');
  indexByName.set('wan0', 7);
  delete table.eth0;
  table.wan0 = [info('192.0.2.10', 'IPv4')];
  assert.equal(watcher.refresh(), false, 'same addresses under the new name: nothing changes for the detector');
  assert.equal(watcher.refresh(), false);
  assert.deepEqual(renames, ['eth0->wan0']);
  assert.deepEqual(watcher.currentNames, ['wan0']);
  assert.deepEqual(sets, [['192.0.2.10']]);
});

test('libpcap messages become errors that say what to do', () => {
  const perm = captureError('eth0', 'f', 'socket: Operation not permitted');
  assert.equal(perm.code, 'permission-denied');
  assert.match(perm.message, /run as root .*, or grant CAP_NET_RAW and CAP_NET_ADMIN with AmbientCapabilities/);
  assert.equal(captureError('eth0', 'tcp[', "can't parse filter expression: syntax error").code, 'invalid-filter');
  assert.equal(captureError('eth0', 'f', 'No such device exists').code, 'interface-not-found');
  assert.equal(captureError('eth0', 'f', 'something odd').message, 'cannot capture on eth0: something odd');
  // The addon's codes decide when present, whatever libpcap's wording.
  const coded = (code: string, message: string): Error => Object.assign(new Error(message), { code });
  assert.equal(captureError('eth0', 'f', coded('EPERM', 'socket: huh')).code, 'permission-denied');
  assert.equal(captureError('eth0', 'f', coded('ENODEV', 'gone')).code, 'interface-not-found');
  assert.equal(captureError('eth0', 'f', coded('EFILTER', 'bad')).code, 'invalid-filter');
  assert.match(captureError('eth0', 'f', coded('ENETDOWN', 'That device is not up')).message, /^cannot capture on eth0: the interface is down/);
});

test('an impossible buffer size is refused before anything opens', () => {
  for (const bufferSize of [0, -1, 1.5, 2 ** 31]) {
    assert.throws(
      () => openLiveCapture({ interfaceName: 'lo', bufferSize, consumer: { onFrame: () => {} } }),
      (e: unknown) => e instanceof LiveCaptureError && e.code === 'invalid-option' && /invalid buffer size/.test(e.message),
    );
  }
});

test('a bad filter is an invalid-filter error quoting it', { skip: process.getuid?.() === 0 ? false : 'needs root' }, () => {
  assert.throws(
    () => openLiveCapture({ interfaceName: 'lo', filter: 'tcp[', consumer: { onFrame: () => {} } }),
    (e: unknown) => e instanceof LiveCaptureError && e.code === 'invalid-filter' && e.message.startsWith('invalid capture filter "tcp[" on lo: '),
  );
});
