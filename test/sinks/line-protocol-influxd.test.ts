import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLineProtocolSink } from '../../src/sinks/line-protocol-sink.js';
import { windowToLine } from '../../src/sinks/line-protocol.js';
import { Influxd } from '../support/influxd.js';
import { windowReport } from '../support/reports.js';

let influxd: Influxd;
before(async () => {
  influxd = await Influxd.start();
});
after(async () => {
  await influxd?.close();
});

// Interface names as the detector may see them: NICs, and capture file names (anything goes there).
const ROUND_TRIP_NAMES = ['eth0', 'my nic', 'a,b', 'x=y', 'we ird,na=me', '=,= ,', 'capture (1).pcapng', 'ünï-网卡', 'wg0:1'];
// Names line protocol cannot carry verbatim: they must still be accepted, in their escaped form.
const ESCAPED_NAMES: [string, string][] = [
  ['tab\there', 'tab\\there'],
  ['new\nline', 'new\\nline'],
  ['trailing\\', 'trailing_'],
  ['back\\slash', 'back\\slash'],
];

test('influxd 1.x /write accepts every line the stdout sink writes, and reads back every value', async () => {
  await influxd.createDatabase('peng');
  const names = [...ROUND_TRIP_NAMES, ...ESCAPED_NAMES.map(([name]) => name)];
  const base = Date.UTC(2024, 0, 1);
  const reports = names.flatMap((name, i) =>
    [0, 1, 2].map((w) =>
      windowReport({
        interface: name,
        endMs: base + w * 60_000 + i,
        clientEntropy: (i + 1) / 1000,
        serverEntropy: 0.43590558771 + w,
        clientSyns: i,
        serverSyns: 3477 * w,
      }),
    ),
  );
  const chunks: string[] = [];
  const output = new Writable({
    decodeStrings: false,
    write(chunk: string, _e, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  const sink = createLineProtocolSink({ output });
  for (const report of reports) sink.write(report);
  await sink.close();
  assert.equal(chunks.length, reports.length);

  // Line by line, so one rejected line names itself.
  for (const line of chunks) {
    const result = await influxd.write('peng', line);
    assert.equal(result.status, 204, `rejected: ${line}\n${result.error}`);
  }

  const series = await influxd.query('peng', 'SELECT * FROM peng GROUP BY "interface"');
  const stored = new Map(series.map((s) => [s.tags!['interface']!, s]));
  const expected = new Map<string, string>([...ROUND_TRIP_NAMES.map((n): [string, string] => [n, n]), ...ESCAPED_NAMES]);
  assert.deepEqual([...stored.keys()].sort(), [...expected.values()].sort());

  for (const report of reports) {
    const s = stored.get(expected.get(report.interface)!)!;
    const col = (name: string) => s.columns.indexOf(name);
    const row = s.values.find((v) => v[col('time')] === report.end.getTime());
    assert.ok(row, `window ending ${report.end.toISOString()} of ${JSON.stringify(report.interface)} missing`);
    assert.equal(row[col('client_entropy')], report.client.entropy);
    assert.equal(row[col('server_entropy')], report.server.entropy);
    assert.equal(row[col('client_syn_packets')], report.client.synPackets);
    assert.equal(row[col('server_syn_packets')], report.server.synPackets);
  }
  assert.equal(
    series.reduce((n, s) => n + s.values.length, 0),
    reports.length,
  );
});

test('influxd accepts the host-tagged line of the InfluxDB writer too', async () => {
  await influxd.createDatabase('hosted');
  const line = windowToLine(windowReport({ interface: 'a b', endMs: Date.UTC(2024, 0, 2), serverEntropy: 2 }), { host: 'web 1,dc=x' });
  assert.equal((await influxd.write('hosted', line)).status, 204);
  const series = await influxd.query('hosted', 'SELECT server_entropy, "host", "interface" FROM peng');
  assert.deepEqual(series[0]!.values, [[Date.UTC(2024, 0, 2), 2, 'web 1,dc=x', 'a b']]);
});
