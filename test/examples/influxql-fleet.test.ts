// The fleet InfluxQL of examples/influxdb/README.md against the real influxd 1.x: fifty hosts write the
// lines Telegraf would store (peng and peng_scan with a host tag); the queries must count hosts per source
// and hosts under scan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../support/paths.js';
import { Influxd } from '../support/influxd.js';

const readme = readFileSync(join(repoRoot, 'examples', 'influxdb', 'README.md'), 'utf8');

function query(name: string): string {
  const block = new RegExp('```sql @' + name + '\\n([\\s\\S]*?)```').exec(readme);
  assert.ok(block, `no sql @${name} block`);
  return block[1]!.trim();
}

test('the README fleet queries count hosts per scan source and hosts under scan over fifty hosts (influxd 1.x)', { timeout: 60_000 }, async () => {
  const influxd = await Influxd.start();
  try {
    await influxd.createDatabase('peng');
    const now = BigInt(Date.now()) * 1_000_000n;
    const lines: string[] = [];
    for (let i = 0; i < 50; i++) {
      const host = `h${String(i).padStart(2, '0')}`;
      const at = now - BigInt(i % 5) * 10_000_000_000n; // within the last minute
      // A sweep from 203.0.113.5 reaches every host; entropy is high on the first seven only.
      const entropy = i < 7 ? 0.47 : 0.03;
      lines.push(`peng,host=${host},interface=eth0 client_entropy=0,server_entropy=${entropy},client_syn_packets=0i,server_syn_packets=120i ${at}`);
      lines.push(`peng_scan,direction=server,host=${host},interface=eth0,source=203.0.113.5 reason="sweep",kinds="syn",probes=12i,ports=12i,hosts=1i ${at}`);
      // Two windows for the same host and source count once.
      lines.push(`peng_scan,direction=server,host=${host},interface=eth0,source=203.0.113.5 reason="sweep",kinds="syn",probes=3i,ports=3i,hosts=1i ${at - 60_000_000_000n}`);
    }
    for (const host of ['h00', 'h01']) lines.push(`peng_scan,direction=server,host=${host},interface=eth0,source=198.51.100.20 reason="port-sweep",kinds="syn",probes=40i,ports=40i,hosts=1i ${now}`);
    // This host's own scan of others is client-side: not a source seen by the fleet.
    lines.push(`peng_scan,direction=client,host=h03,interface=eth0,source=10.0.0.3 reason="sweep",kinds="syn",probes=99i,ports=99i,hosts=9i ${now}`);
    const written = await influxd.write('peng', lines.join('\n'));
    assert.equal(written.status, 204, written.error);

    const perSource = await influxd.query('peng', query('hosts-per-source'));
    const counts = Object.fromEntries(perSource.map((s) => [s.tags?.['source'], s.values[0]![1]]));
    assert.deepEqual(counts, { '203.0.113.5': 50, '198.51.100.20': 2 });

    const underScan = await influxd.query('peng', query('hosts-under-scan'));
    assert.equal(underScan[0]?.values[0]?.[1], 7);
  } finally {
    await influxd.close();
  }
});
