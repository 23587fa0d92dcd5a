import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pengBin, repoRoot } from '../../support/paths.js';
import { runPeng } from '../support/run-peng.js';

/**
 * The labelled development captures (see test/fixtures/README.md), replayed by the CLI with the probed side
 * as -localAddresses: every scan capture names exactly its scanner, with the direction and rule; every
 * benign one names nobody in any window. Ambiguous captures (Mirai's two SYNs, a Gnutella client) are not
 * scored here.
 */

interface Scan {
  source: string;
  direction: string;
  reason: string;
  kinds: string[];
  detectedAt: string;
  new?: boolean;
}
interface Window {
  start: string;
  end: string;
  scans?: Scan[];
  scansEnded?: Scan[];
  scansOmitted?: number;
  scanners?: { server: number; client: number };
}

interface Label {
  file: string;
  local: string;
  /** source, direction, rule; absent: nobody may be named. */
  scanner?: [string, 'server' | 'client', string];
}

const LABELS: readonly Label[] = [
  { file: 'chrissanders__packets__synscan.pcapng', local: '64.13.134.52', scanner: ['172.16.0.8', 'server', 'vertical'] },
  { file: 'chrissanders__packets__activeosfingerprinting.pcapng', local: '172.16.16.150', scanner: ['172.16.16.128', 'server', 'stealth'] },
  { file: 'esnet-security__curated-pcaps__attacks__scanners__masscan__tcp_0_1000_20190821.pcap', local: '198.124.152.15', scanner: ['172.31.15.102', 'server', 'vertical'] },
  { file: 'esnet-security__curated-pcaps__attacks__scanners__masscan__udp_0_1000_20190821.pcap', local: '198.124.152.15', scanner: ['172.31.15.102', 'server', 'vertical'] },
  { file: 'lucaderi__sgr__2022__Favilli__tests__hs-tcp_synPingSweepRand.pcapng', local: '10.0.0.128', scanner: ['10.0.0.128', 'client', 'horizontal'] },
  { file: 'lucaderi__sgr__2022__Favilli__tests__hs-tcp_ackPingSweepRand.pcapng', local: '10.0.0.128', scanner: ['10.0.0.128', 'client', 'horizontal'] },
  { file: 'ncsa__bro-simple-scan__testing__pcaps__port_scan.pcap', local: '192.168.2.22', scanner: ['192.168.2.154', 'server', 'vertical'] },
  { file: 'mrash__psad__test__scans__iptables__fin_scan_1000_1150.pcap', local: '192.168.10.1', scanner: ['192.168.10.55', 'server', 'vertical'] },
  { file: 'mrash__psad__test__scans__iptables__null_scan_1000_1150.pcap', local: '192.168.10.1', scanner: ['192.168.10.55', 'server', 'stealth'] },
  { file: 'mrash__psad__test__scans__iptables__xmas_scan_1000_1150.pcap', local: '192.168.10.1', scanner: ['192.168.10.55', 'server', 'stealth'] },
  { file: 'mrash__psad__test__scans__iptables__udp_scan_1000_1150.pcap', local: '192.168.10.1', scanner: ['192.168.10.55', 'server', 'vertical'] },
  { file: 'StopDDoS__packet-captures__pkt.TCP.synflood.spoofed.first3000.pcap', local: '10.10.10.10' },
  { file: 'chrissanders__packets__ppa1e__ftp-crack.first2000.pcap', local: '10.121.70.151' },
  { file: 'zeek__zeek__testing__btest__Traces__echo-connections.first3000.pcap.gz', local: '127.0.0.1' },
  { file: 'OISF__suricata-verify__tests__bug-2576-02__temp1.pcap', local: '10.95.48.225' },
  { file: 'OISF__suricata-verify__tests__linktype-228__flow-test-01.pcap', local: '192.168.0.1' },
  { file: 'zeek__zeek__testing__btest__Traces__ipv4__fragmented-syn.pcap', local: '10.0.0.5' },
];

const skip = existsSync(pengBin) ? false : `the CLI is not built (${pengBin})`;

function replay(file: string, local: string, timeFrame: string): Window[] {
  const r = runPeng(['replay', join(repoRoot, 'test', 'fixtures', file), '-json', '-verbose', '0', '-timeFrame', timeFrame, '-localAddresses', local]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Window);
}

for (const label of LABELS) {
  test(`${label.file}: ${label.scanner ? `${label.scanner[0]} named (${label.scanner[1]}, ${label.scanner[2]})` : 'nobody named'}`, { skip }, () => {
    // One window holding the whole capture, and 1 s windows that split every scan.
    for (const timeFrame of ['1h', '1s']) {
      const windows = replay(label.file, label.local, timeFrame);
      assert.ok(windows.length > 0);
      const named = windows.flatMap((w) => w.scans ?? []);
      if (!label.scanner) {
        assert.deepEqual(named.map((s) => s.source), [], `${timeFrame}: a false alarm`);
        for (const w of windows) assert.deepEqual([w.scanners, w.scansOmitted, w.scansEnded], [{ server: 0, client: 0 }, 0, []]);
        continue;
      }
      const [source, direction, reason] = label.scanner;
      assert.deepEqual([...new Set(named.map((s) => `${s.source} ${s.direction} ${s.reason}`))], [`${source} ${direction} ${reason}`], `${timeFrame}: exactly the scanner`);
      // Named in the very window it was detected in, and new there only.
      const first = windows.findIndex((w) => (w.scans ?? []).length > 0);
      const scan = windows[first]!.scans![0]!;
      assert.equal(scan.new, true);
      const at = Date.parse(scan.detectedAt);
      // detectedAt is the probe's whole second; the window may start within that second.
      assert.ok(at >= Math.floor(Date.parse(windows[first]!.start) / 1000) * 1000 && at < Date.parse(windows[first]!.end), `${timeFrame}: detected ${scan.detectedAt} in window ${first}`);
      assert.equal(named.filter((s) => s.new).length, 1, 'new once');
    }
  });
}
