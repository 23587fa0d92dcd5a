import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TcpFlags, tcpFrame, linkTypeOf } from '../../support/frames.js';
import { pcapFile, DEFAULT_START_MICROS } from '../../support/capture-writers.js';
import { pengBin } from '../../support/paths.js';
import { pengTestEnv } from '../support/run-peng.js';
import { VictoriaMetrics } from '../support/victoria-metrics.js';

const run = promisify(execFile);


/** Three one-minute windows: 1, 2 and 3 SYNs to different ports. */
function capture(dir: string): string {
  const records = [];
  for (let w = 0; w < 3; w++) {
    for (let k = 0; k <= w; k++) {
      records.push({
        bytes: tcpFrame({ link: 'ethernet', ipv4: { src: '198.51.100.1', dst: '192.0.2.1' }, tcp: { dstPort: 1000 * (w + 1) + 16 * k, flags: TcpFlags.SYN } }),
        timeMicros: DEFAULT_START_MICROS + w * 60_000_000 + k * 1000,
      });
    }
  }
  const file = join(dir, 'three windows.pcap');
  writeFileSync(file, pcapFile(linkTypeOf.ethernet, records));
  return file;
}

interface JsonWindow {
  end: string;
  client: { entropy: number; synPackets: number };
  server: { entropy: number; synPackets: number };
}

test('replay with the seed InfluxDB flags writes every window to a real /api/v2/write, with the host tag and the window end as time', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peng-influx-cli-'));
  const vm = await VictoriaMetrics.start();
  try {
    const file = capture(dir);
    const args = ['replay', file, '-json', '-verbose', '0', '-bucket', 'peng', '-org', 'ops', '-token', 'secret', '-influxUrl', 'http://127.0.0.1', '-influxPort', String(vm.port)];
    const { stdout } = await run(process.execPath, [pengBin, ...args], { env: pengTestEnv(), timeout: 60_000 });
    const windows = stdout.trim().split('\n').map((l) => JSON.parse(l) as JsonWindow);
    assert.equal(windows.length, 3);
    const series = await vm.export('{__name__=~"peng_(server|client)_(entropy|syn_packets)"}');
    const byName = new Map(series.map((s) => [s.metric.__name__, s]));
    for (const [name, read] of [
      ['peng_server_entropy', (w: JsonWindow) => w.server.entropy],
      ['peng_client_entropy', (w: JsonWindow) => w.client.entropy],
      ['peng_server_syn_packets', (w: JsonWindow) => w.server.synPackets],
      ['peng_client_syn_packets', (w: JsonWindow) => w.client.synPackets],
    ] as const) {
      const s = byName.get(name);
      assert.ok(s, `${name} stored`);
      assert.equal(s.metric.host, hostname());
      assert.equal(s.metric.interface, 'three windows.pcap');
      assert.deepEqual(s.timestamps, windows.map((w) => Date.parse(w.end)));
      s.values.forEach((v, i) => assert.ok(Math.abs(v - read(windows[i]!)) < 1e-12, `${name}[${i}] ${v}`));
    }
    assert.deepEqual(byName.get('peng_server_syn_packets')!.values, [1, 2, 3]);
  } finally {
    await vm.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('replay -lineProtocol: stdout carries one escaped peng line per window, its probe lines, and nothing else; stderr lines carry Telegraf prefixes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peng-lp-cli-'));
  try {
    const file = capture(dir);
    const { stdout, stderr } = await run(process.execPath, [pengBin, 'replay', file, '-lineProtocol', '-verbose', '2'], { env: pengTestEnv(), timeout: 60_000 });
    const all = stdout.trimEnd().split('\n');
    assert.equal(all.length, 9, 'per window: peng, then peng_probes for client and server');
    assert.ok(all.every((l, i) => l.startsWith(i % 3 === 0 ? 'peng,' : 'peng_probes,direction=')), stdout);
    const lines = all.filter((l) => l.startsWith('peng,'));
    const end0 = BigInt(DEFAULT_START_MICROS + 60_000_000 - 0) * 1000n;
    lines.forEach((line, i) => {
      assert.match(line, /^peng,interface=three\\ windows\.pcap client_entropy=[0-9.e-]+,server_entropy=[0-9.e-]+,client_syn_packets=0i,server_syn_packets=\di \d+$/);
      assert.equal(line.split(' ').at(-1), String(end0 + BigInt(i) * 60_000_000_000n));
    });
    for (const line of stderr.trimEnd().split('\n')) assert.match(line, /^[EWID]! /, `unprefixed stderr line: ${line}`);
    assert.match(stderr, /^I! .*\[SERVER\] bin entropies: /m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
