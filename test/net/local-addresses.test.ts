import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalAddresses, ipv4ToInt, ipv6ToWords } from '../../src/net/local-addresses.js';

// Address text parsing itself is tested in ip-text.test.ts; these tests are about prefixes and matching.

test('addresses and prefixes match on integers', () => {
  const local = LocalAddresses.parse(['192.0.2.10', '10.0.0.0/8', 'fd00::/8', '2001:db8::5', ' ']);
  assert.equal(local.size, 4);
  assert.equal(local.isLocal4(ipv4ToInt('192.0.2.10')), true);
  assert.equal(local.isLocal4(ipv4ToInt('192.0.2.11')), false);
  assert.equal(local.isLocal4(ipv4ToInt('10.255.1.2')), true);
  assert.equal(local.isLocal4(ipv4ToInt('11.0.0.1')), false);
  assert.equal(local.isLocal6(ipv6ToWords('fd12:3456::1')), true);
  assert.equal(local.isLocal6(ipv6ToWords('fe80::1')), false);
  assert.equal(local.isLocal6(ipv6ToWords('2001:db8::5')), true);
  assert.equal(local.isLocal6(ipv6ToWords('2001:db8::6')), false);
  const everything = LocalAddresses.parse(['0.0.0.0/0', '::/0']);
  assert.equal(everything.isLocal4(ipv4ToInt('203.0.113.9')), true);
  assert.equal(everything.isLocal6(ipv6ToWords('2001:db8::9')), true);
  // Host bits beyond the prefix are ignored, as in routing tables.
  assert.equal(LocalAddresses.parse(['10.1.2.3/16']).isLocal4(ipv4ToInt('10.1.200.1')), true);
  assert.equal(LocalAddresses.parse(['2001:db8:aaaa::1/33']).isLocal6(ipv6ToWords('2001:db8:8000::')), true);
  assert.equal(LocalAddresses.parse(['2001:db8:aaaa::1/33']).isLocal6(ipv6ToWords('2001:db8:7fff::')), false);
});

test('a bad entry is a clear error naming it', () => {
  assert.throws(() => LocalAddresses.parse(['10.0.0.1', 'foo']), /invalid local address "foo"/);
  assert.throws(() => LocalAddresses.parse(['10.0.0.0/33']), /prefix length must be 0..32/);
  assert.throws(() => LocalAddresses.parse(['::1/129']), /0..128/);
  assert.throws(() => LocalAddresses.parse(['10.0.0.0/x']), /prefix length/);
  assert.throws(() => LocalAddresses.parse(['300.1.1.1']), /not an IPv4 or IPv6/);
});
