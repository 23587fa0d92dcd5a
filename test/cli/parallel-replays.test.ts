import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TcpFlags, tcpFrame, linkTypeOf } from '../../support/frames.js';
import { pcapFile, DEFAULT_START_MICROS } from '../../support/capture-writers.js';
import { pengBin } from '../../support/paths.js';
import { pengTestEnv } from '../support/run-peng.js';
import { VictoriaMetrics } from '../support/victoria-metrics.js';

const run = promisify(execFile);
/** The capture starts 17 s into a minute, so only -alignWindows makes the two halves' windows meet. */
const START = DEFAULT_START_MICROS + 17_000_000;

/** One captured frame and its time. */
interface Frame {
  bytes: Uint8Array;
  timeMicros: number;
}

/** Five minutes of SYNs to this host, 3 + (i mod 7) in each 10 s slot; the split falls 2 min 31 s in, inside a window. */
function captures(dir: string): { whole: string; halves: [string, string] } {
  const first: Frame[] = [];
  const second: Frame[] = [];
  for (let slot = 0; slot < 30; slot++) {
    for (let k = 0; k < 3 + (slot % 7); k++) {
      const timeMicros = START + slot * 10_000_000 + k * 1000;
      const frame = { bytes: tcpFrame({ link: 'ethernet', ipv4: { src: '198.51.100.7', dst: '192.0.2.1' }, tcp: { dstPort: 1024 + slot * 16 + k, flags: TcpFlags.SYN } }), timeMicros };
      (timeMicros < START + 151_000_000 ? first : second).push(frame);
    }
  }
  const write = (name: string, records: Frame[]): string => {
    const file = join(dir, name);
    writeFileSync(file, pcapFile(linkTypeOf.ethernet, records));
    return file;
  };
  return { whole: write('whole.pcap', [...first, ...second]), halves: [write('part-a.pcap', first), write('part-b.pcap', second)] };
}

interface JsonWindow {
  end: string;
  server: { synPackets: number };
}

/** MetricsQL's instant query at `timeMs`, as a Grafana panel would send it. */
async function sumAt(vm: VictoriaMetrics, query: string, timeMs: number): Promise<number | null> {
  const body = new URLSearchParams({ query, time: String(timeMs / 1000) });
  const response = await fetch(`${vm.url}/api/v1/query`, { method: 'POST', body, signal: AbortSignal.timeout(10_000) });
  const json = (await response.json()) as { data: { result: { value: [number, string] }[] } };
  const result = json.data.result[0];
  return result === undefined ? null : Number(result.value[1]);
}

test('two aligned replays of disjoint halves, run in parallel into one /api/v2/write, add up in the database to the replay of the whole', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peng-parallel-'));
  const vm = await VictoriaMetrics.start();
  try {
    const { whole, halves } = captures(dir);
    const common = ['-alignWindows', '-timeFrame', '1m', '-verbose', '0', '-localAddresses', '192.0.2.1'];
    const reference = await run(process.execPath, [pengBin, 'replay', whole, '-json', ...common], { env: pengTestEnv(), timeout: 60_000 });
    const windows = reference.stdout.trim().split('\n').map((l) => JSON.parse(l) as JsonWindow);
    assert.equal(windows.length, 6, 'aligned: a partial first window, four whole ones, a partial last');
    const influx = ['-bucket', 'peng', '-org', 'ops', '-token', 'secret', '-influxUrl', 'http://127.0.0.1', '-influxPort', String(vm.port)];
    await Promise.all(halves.map((half) => run(process.execPath, [pengBin, 'replay', half, ...common, ...influx], { env: pengTestEnv(), timeout: 60_000 })));
    await vm.forceFlush();
    // Each process tags its points with its own file (interface), so the window where the halves meet is two series, not one overwritten.
    const series = await vm.export('peng_server_syn_packets');
    assert.deepEqual(series.map((s) => s.metric.interface).sort(), ['part-a.pcap', 'part-b.pcap']);
    for (const w of windows) {
      const end = Date.parse(w.end);
      // Points sit at each window's end; the 1m range holds exactly one window per series.
      const sum = await sumAt(vm, 'sum(sum_over_time(peng_server_syn_packets[1m]))', end);
      assert.equal(sum, w.server.synPackets, `window ending ${w.end}`);
    }
  } finally {
    await vm.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
