import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readHostConnections } from '../../../src/sources/host/host-connections.js';
import { formatIPv4, formatIPv6 } from '../../../src/net/ip-text.js';

const text = (family: 4 | 6, words: Uint32Array): string => (family === 4 ? formatIPv4(words[0]!) : formatIPv6(words));

test("a real loopback connection of this process is in the kernel's table, both ways round", async () => {
  const accepted: Socket[] = [];
  const server = createServer((s) => accepted.push(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.42', resolve));
  const client = connect({ host: '127.0.0.42', port: (server.address() as { port: number }).port, localAddress: '127.0.0.7' });
  await new Promise<void>((resolve) => client.once('connect', resolve));
  try {
    const pairs = readHostConnections().map((c) => `${text(c.family, c.local)} ${text(c.family, c.remote)}`);
    assert.ok(pairs.includes('127.0.0.7 127.0.0.42'), 'the client side');
    assert.ok(pairs.includes('127.0.0.42 127.0.0.7'), 'the server side');
  } finally {
    client.destroy();
    accepted.forEach((s) => s.destroy());
    server.close();
  }
});

test('kernel tables: open states only, IPv6 words in network order, IPv4-mapped as IPv4, malformed lines and missing files skipped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'peng-proc-net-'));
  try {
    const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
    const tcp = join(dir, 'tcp');
    writeFileSync(tcp, header + [
      '   0: 0100007F:0016 0200007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 1 1',
      '   1: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1', // LISTEN
      '   2: 0100007F:0051 0300007F:C351 06 00000000:00000000 00:00000000 00000000     0        0 3 1', // TIME_WAIT
      '   3: garbage',
    ].join('\n'));
    const tcp6 = join(dir, 'tcp6');
    writeFileSync(tcp6, header + [
      // 2001:db8::1 -> 2001:db8::2, and ::ffff:192.0.2.1 -> ::ffff:198.51.100.9
      '   0: B80D0120000000000000000001000000:01BB B80D0120000000000000000002000000:D431 08 0 0 0 0 0 0',
      '   1: 0000000000000000FFFF00000102000C0:01BB 0000000000000000FFFF0000096433C6:D431 01 0 0 0 0 0 0',
      '   2: 0000000000000000FFFF0000010200C0:01BB 0000000000000000FFFF0000096433C6:D431 01 0 0 0 0 0 0',
    ].join('\n'));
    const got = readHostConnections([tcp, join(dir, 'missing'), tcp6]).map((c) => [c.family, text(c.family, c.local), text(c.family, c.remote)]);
    assert.deepEqual(got, [
      [4, '127.0.0.1', '127.0.0.2'],
      [6, '2001:db8::1', '2001:db8::2'],
      [4, '192.0.2.1', '198.51.100.9'],
    ]);
    assert.equal(readHostConnections([tcp], 0).length, 0, 'the bound');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
