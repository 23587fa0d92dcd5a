import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  escapeMeasurement,
  escapeTag,
  formatFloat,
  formatInteger,
  LineProtocolError,
  timestampNanos,
  windowToLine,
} from '../../src/sinks/line-protocol.js';
import { windowReport } from '../support/reports.js';

test('a window becomes the documented line, timestamp = window end in ns', () => {
  const report = windowReport({ endMs: 1_589_313_563_470, clientEntropy: 0, serverEntropy: 0.43590558771, clientSyns: 3, serverSyns: 3477 });
  assert.equal(
    windowToLine(report),
    'peng,interface=eth0 client_entropy=0,server_entropy=0.43590558771,client_syn_packets=3i,server_syn_packets=3477i 1589313563470000000',
  );
});

test('the InfluxDB writer adds a host tag before interface (tags sorted by key)', () => {
  const report = windowReport({ endMs: 1_000, serverEntropy: 2, serverSyns: 65_535 });
  assert.equal(
    windowToLine(report, { host: 'web 1' }),
    'peng,host=web\\ 1,interface=eth0 client_entropy=0,server_entropy=2,client_syn_packets=0i,server_syn_packets=65535i 1000000000',
  );
});

test('timestamps are exact integers: ms × 10⁶ without floating-point rounding', () => {
  // 2^53 ns would already round in a double; these must come out digit-exact.
  assert.equal(timestampNanos(new Date(8_640_000_000_000)), '8640000000000000000');
  assert.equal(timestampNanos(new Date(1_700_000_000_123)), '1700000000123000000');
  assert.equal(timestampNanos(new Date(-1)), '-1000000');
  assert.equal(timestampNanos(new Date(0)), '0');
});

test('times outside the signed 64-bit nanosecond range are a clear error, not a broken line', () => {
  assert.throws(() => timestampNanos(new Date(Date.UTC(2262, 3, 12))), (error: unknown) => {
    assert.ok(error instanceof LineProtocolError);
    assert.match(error.message, /2262-04-12T00:00:00.000Z is outside line protocol's time range/);
    return true;
  });
  assert.throws(() => timestampNanos(new Date(Date.UTC(1677, 8, 20))), LineProtocolError);
  assert.throws(() => timestampNanos(new Date(Number.NaN)), /not a valid date/);
  assert.doesNotThrow(() => timestampNanos(new Date(Date.UTC(2262, 3, 11))));
});

test('tag escaping: comma, equals sign and space get a backslash', () => {
  assert.equal(escapeTag('eth0'), 'eth0');
  assert.equal(escapeTag('my nic'), 'my\\ nic');
  assert.equal(escapeTag('a,b=c d'), 'a\\,b\\=c\\ d');
  assert.equal(escapeTag('capture (1).pcapng'), 'capture\\ (1).pcapng');
  assert.equal(escapeTag('"quoted"'), '"quoted"');
  assert.equal(escapeTag('ünïcødé-网卡'), 'ünïcødé-网卡');
});

test('tag escaping: line breaks and tabs become visible escapes, as Telegraf writes them', () => {
  assert.equal(escapeTag('a\nb'), 'a\\nb');
  assert.equal(escapeTag('a\r\nb'), 'a\\r\\nb');
  assert.equal(escapeTag('a\tb\fc'), 'a\\tb\\fc');
  assert.ok(!escapeTag('x\ny\rz').includes('\n'));
});

test('tag escaping: backslashes stay unambiguous for Influx parsers', () => {
  assert.equal(escapeTag('a\\b'), 'a\\b'); // before an ordinary character: literal
  assert.equal(escapeTag('a\\,b'), 'a\\\\\\,b'); // before a special: doubled, then the special escaped
  assert.equal(escapeTag('a\\ b'), 'a\\\\\\ b');
  assert.equal(escapeTag('a\\'), 'a_'); // trailing: no Influx parser accepts it
  assert.equal(escapeTag('a\\\\'), 'a\\\\_');
});

test('measurement escaping: comma and space only', () => {
  assert.equal(escapeMeasurement('peng'), 'peng');
  assert.equal(escapeMeasurement('a b,c=d'), 'a\\ b\\,c=d');
});

test('field values: floats round-trip, integers get the i suffix, nothing non-finite passes', () => {
  for (const value of [0, 2, 0.1, 0.43590558771, 1e-7, 1.9999999999999998, 5e-324]) {
    assert.equal(Number(formatFloat(value)), value);
  }
  assert.equal(formatInteger(0), '0i');
  assert.equal(formatInteger(4_294_967_295), '4294967295i');
  assert.throws(() => formatFloat(Number.NaN), LineProtocolError);
  assert.throws(() => formatFloat(Number.POSITIVE_INFINITY), LineProtocolError);
  assert.throws(() => formatInteger(1.5), LineProtocolError);
});

test('an interface name full of separators still gives one line with exactly the four fields', () => {
  const nasty = 'x, y=z \n w\\';
  const line = windowToLine(windowReport({ interface: nasty, endMs: 5 }));
  assert.equal(line.split('\n').length, 1);
  assert.ok(line.startsWith('peng,interface=x\\,\\ y\\=z\\ \\n\\ w_ client_entropy='), line);
  assert.ok(line.endsWith(' 5000000'));
});

test('an empty interface name leaves the tag out instead of writing an invalid empty value', () => {
  assert.equal(windowToLine(windowReport({ interface: '', endMs: 1 })).split(' ')[0], 'peng');
});
