import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIPv4, isIPv6 } from 'node:net';
import { parseIPv4, parseIPv6 } from '../../src/net/ip-text.js';
import { Xorshift32 } from '../../support/xorshift.js';

test('IPv4 and IPv6 forms parse to the expected integers', () => {
  assert.equal(parseIPv4('192.0.2.1'), 0xc0000201);
  assert.equal(parseIPv4('255.255.255.255'), 0xffffffff);
  assert.equal(parseIPv4('0.0.0.0'), 0);
  const words = (t: string): number[] | null => {
    const w = parseIPv6(t);
    return w === null ? null : Array.from(w);
  };
  assert.deepEqual(words('::'), [0, 0, 0, 0]);
  assert.deepEqual(words('::1'), [0, 0, 0, 1]);
  assert.deepEqual(words('1::'), [0x10000, 0, 0, 0]);
  assert.deepEqual(words('fe80::1%eth0'), [0xfe800000, 0, 0, 1]);
  assert.deepEqual(words('::ffff:192.0.2.1'), [0, 0, 0xffff, 0xc0000201]);
  assert.deepEqual(words('::192.0.2.1'), [0, 0, 0, 0xc0000201]);
  assert.deepEqual(words('1:2:3:4:5:6:192.0.2.1'), [0x10002, 0x30004, 0x50006, 0xc0000201]);
  assert.deepEqual(words('2001:DB8:0:0:8:800:200C:417A'), [0x20010db8, 0, 0x80800, 0x200c417a]);
});

/** node:net is the oracle for what is an address; the parsers must agree on every case. */
test('the parsers accept exactly what node:net accepts, on hand-picked and random texts', () => {
  const cases = [
    '1.2.3.4', '01.2.3.4', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.-4', ' 1.2.3.4', '1.2.3.4 ', '', '.', '1..2.3',
    '::', ':::', '::1', '1::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1::2::3',
    '12345::', 'g::1', '::ffff:1.2.3.4', '::ffff:1.2.3', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4', '::1.2.3.4:5',
    'fe80::1%eth0', 'fe80::1%', '1:2:3:4:5:6:7', ':1::', '1:::2', '::1.2.3.04',
  ];
  const rng = new Xorshift32(7);
  const alphabet = '0123456789abcdef:.%';
  for (let i = 0; i < 20000; i++) {
    let s = '';
    const n = rng.below(20);
    for (let k = 0; k < n; k++) s += alphabet[rng.below(alphabet.length)];
    cases.push(s);
  }
  for (const text of cases) {
    assert.equal(parseIPv4(text) !== null, isIPv4(text), `IPv4 ${JSON.stringify(text)}`);
    if (!text.includes('%')) assert.equal(parseIPv6(text) !== null, isIPv6(text), `IPv6 ${JSON.stringify(text)}`);
  }
});
