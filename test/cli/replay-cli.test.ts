import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { TcpFlags, tcpFrame, linkTypeOf } from '../../support/frames.js';
import { pcapFile, DEFAULT_START_MICROS, type PcapRecord } from '../../support/capture-writers.js';
import { runPeng } from '../support/run-peng.js';

const dir = mkdtempSync(join(tmpdir(), 'peng-cli-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const LOCAL = '192.0.2.10';
const SCANNER = '203.0.113.66';

/** An nmap-like scan of 1024..4500 at the local host, plus our own outbound SYN and noise, within 10 s. */
function scanRecords(): PcapRecord[] {
  const records: PcapRecord[] = [];
  let t = DEFAULT_START_MICROS;
  for (let port = 1024; port <= 4500; port++) {
    records.push({ bytes: tcpFrame({ link: 'ethernet', ipv4: { src: SCANNER, dst: LOCAL }, tcp: { srcPort: 55555, dstPort: port, flags: TcpFlags.SYN } }), timeMicros: (t += 1000) });
    // The RST-ACK answers and SYN-ACKs are not connection openings.
    records.push({ bytes: tcpFrame({ link: 'ethernet', ipv4: { src: LOCAL, dst: SCANNER }, tcp: { srcPort: port, dstPort: 55555, flags: TcpFlags.RST | TcpFlags.ACK } }), timeMicros: (t += 10) });
  }
  records.push({ bytes: tcpFrame({ link: 'ethernet', ipv4: { src: LOCAL, dst: SCANNER }, tcp: { srcPort: 40000, dstPort: 443, flags: TcpFlags.SYN } }), timeMicros: (t += 10) });
  // A quiet window later: the empty window in between is reported too.
  records.push({ bytes: tcpFrame({ link: 'ethernet', ipv4: { src: SCANNER, dst: LOCAL }, tcp: { srcPort: 1, dstPort: 22, flags: TcpFlags.SYN } }), timeMicros: DEFAULT_START_MICROS + 25_000_000 });
  return records;
}

function scanCapture(): string {
  const file = join(dir, 'scan.pcap');
  writeFileSync(file, pcapFile(linkTypeOf.ethernet, scanRecords()));
  return file;
}

const capture = scanCapture();

interface JsonWindow {
  start: string;
  end: string;
  interface: string;
  client: { entropy: number; synPackets: number };
  server: { entropy: number; synPackets: number; bitsSet: number };
  capture: { frames: number; synPackets: number; malformed: number };
}

function windowsOf(stdout: string): JsonWindow[] {
  return stdout.trim().split('\n').map((line) => JSON.parse(line) as JsonWindow);
}

test('replay -json: the golden number for ports 1024..4500, client and server apart, every window, stdout only JSON', () => {
  const run = runPeng(['replay', capture, '-timeFrame', '10s', '-json', '-localAddresses', LOCAL]);
  assert.equal(run.code, 0, run.stderr);
  const windows = windowsOf(run.stdout);
  assert.equal(windows.length, 3);
  assert.ok(Math.abs(windows[0]!.server.entropy - 0.43590558771) < 1e-9, String(windows[0]!.server.entropy));
  assert.equal(windows[0]!.server.synPackets, 3477);
  assert.equal(windows[0]!.client.synPackets, 1);
  assert.ok(windows[0]!.client.entropy > 0 && windows[0]!.client.entropy < 0.1);
  assert.equal(windows[0]!.capture.frames, 3477 * 2 + 1);
  assert.deepEqual([windows[1]!.server.synPackets, windows[1]!.capture.frames], [0, 0]);
  assert.equal(windows[2]!.server.synPackets, 1);
  assert.equal(windows[0]!.start, new Date((DEFAULT_START_MICROS + 1000) / 1000).toISOString());
  assert.equal(Date.parse(windows[2]!.end) - Date.parse(windows[0]!.start), 30_000);
  assert.equal(windows[0]!.interface, 'scan.pcap');
  // Console lines and notes went to stderr, not into the JSON stream.
  assert.match(run.stderr, /\[SERVER\] total entropy: 0\.435906/);
});

test('gzip-compressed captures replay to the same windows', () => {
  const gz = join(dir, 'scan.pcap.gz');
  writeFileSync(gz, gzipSync(readFileSync(capture)));
  const plain = runPeng(['replay', capture, '-timeFrame', '10s', '-json', '-verbose', '0', '-localAddresses', LOCAL]);
  const packed = runPeng(['replay', gz, '-timeFrame', '10s', '-json', '-verbose', '0', '-localAddresses', LOCAL]);
  assert.equal(packed.code, 0, packed.stderr);
  assert.deepEqual(windowsOf(packed.stdout).map((w) => ({ ...w, interface: '' })), windowsOf(plain.stdout).map((w) => ({ ...w, interface: '' })));
});

test('console lines are the original format, and the CSV is appended across runs with one header', () => {
  const csv = join(dir, 'out.csv');
  const first = runPeng(['replay', capture, '-timeFrame', '10s', '-export', csv, '-localAddresses', LOCAL]);
  assert.equal(first.code, 0, first.stderr);
  const lines = first.stdout.trim().split('\n').filter((l) => l.includes('total entropy'));
  assert.equal(lines.length, 6);
  // The scan is named once when first seen, and said to end once it goes quiet.
  assert.equal(first.stdout.match(/\] \[SCAN\] 203\.0\.113\.66 -> \d+ ports on 1 host \(syn; \w+\) since /g)?.length, 1, first.stdout);
  assert.equal(first.stdout.match(/\] \[SCAN END\] 203\.0\.113\.66: quiet since /g)?.length, 1, first.stdout);
  assert.match(lines[0]!, /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [+-]\d{4} \S+\] \[CLIENT\] total entropy: 0\.\d{6}$/);
  assert.match(lines[1]!, /\] \[SERVER\] total entropy: 0\.435906$/);
  runPeng(['replay', capture, '-timeFrame', '10s', '-export', csv, '-verbose', '0', '-localAddresses', LOCAL]);
  const rows = readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(rows[0], 'time,client,server');
  assert.equal(rows.length, 1 + 3 + 3);
  assert.equal(rows.filter((r) => r.startsWith('time')).length, 1);
  const [, client, server] = rows[1]!.split(',');
  assert.ok(Number(client) > 0);
  assert.ok(Math.abs(Number(server) - 0.43590558771) < 1e-9);
});

test('verbose 2 and 3 add per-bin entropies, bits per bin and counted ports', () => {
  const run = runPeng(['replay', capture, '-timeFrame', '10s', '-verbose', '3', '-localAddresses', LOCAL]);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /\[SERVER\] bin entropies: (\d\.\d{6} ){15}\d\.\d{6}/);
  assert.match(run.stdout, /\[SERVER\] bits set per bin: /);
  assert.match(run.stdout, /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [+-]\d{4} \S+\] \[SERVER\] port 1024 from 203\.0\.113\.66\n/m);
  // Port lines are rate-limited: 3477 SYNs do not give 3477 lines.
  assert.ok((run.stdout.match(/port \d+/g) ?? []).length < 200);
});

/** Every usage or input error: exit 2 and exactly one line on stderr naming the problem, nothing on stdout. */
test('bad inputs exit 2 with one line saying what is wrong', () => {
  const notCapture = join(dir, 'notes.txt');
  writeFileSync(notCapture, 'this is not a capture file at all\n');
  const unreadable = join(dir, 'secret.pcap');
  writeFileSync(unreadable, readFileSync(capture));
  chmodSync(unreadable, 0o000);
  const badYaml = join(dir, 'bad.yaml');
  writeFileSync(badYaml, 'bin: [1, 2\n');
  const cases: Array<[string[], RegExp]> = [
    [['replay', capture, '-bin', '0'], /-bin 0/],
    [['replay', capture, '-bin', '16', '-size', '1000'], /multiple/],
    [['replay', capture, '-size', '70000'], /65536/],
    [['replay', capture, '-timeFrame', '0s'], /timeFrame/],
    [['replay', capture, '-timeFrame', 'soon'], /timeFrame/],
    [['replay', capture, '-verbose', 'loud'], /verbose/],
    [['replay', capture, '-frobnicate'], /frobnicate/],
    [['replay', join(dir, 'missing.pcap')], /missing\.pcap/],
    [['replay', notCapture], /not a (pcap|capture)/],
    [['replay', capture, '-bucket', 'b', '-org', 'o', '-token', 't', '-influxUrl', 'ftp://x'], /influxUrl/],
    [['replay', capture, '-config', join(dir, 'nope.yaml')], /nope\.yaml/],
    [['replay', capture, '-config', badYaml], /bad\.yaml/],
    [['replay', capture, '-localAddresses', '10.0.0.300'], /10\.0\.0\.300/],
    [['replay', capture, '-json', '-lineProtocol'], /json/],
    [['-network', 'eth9nothere'], /interface eth9nothere not found; available: .*lo/],
  ];
  if (process.getuid?.() !== 0) cases.push([['replay', unreadable], /secret\.pcap/]);
  for (const [args, pattern] of cases) {
    const run = runPeng(args);
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(run.code, 2, `${args.join(' ')}: exit ${run.code}, stderr ${run.stderr}`);
    assert.equal(lines.length, 1, `${args.join(' ')}: one line expected, got ${run.stderr}`);
    assert.match(lines[0]!, /^peng: /);
    assert.match(lines[0]!, pattern, args.join(' '));
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(run.stdout, '', `${args.join(' ')}: stdout must stay empty`);
  }
});

test('-size 65536, -bin 0 style edge shapes the original crashed on are handled', () => {
  const run = runPeng(['replay', capture, '-timeFrame', '10s', '-json', '-verbose', '0', '-bin', '1', '-size', '65536', '-localAddresses', LOCAL]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(windowsOf(run.stdout)[0]!.server.bitsSet, 4500 - 1024 + 1);
  const tooMany = runPeng(['replay', capture, '-bin', '2048', '-size', '1024']);
  assert.equal(tooMany.code, 2);
});

test('--help and --version go to stdout and exit 0', () => {
  const help = runPeng(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /-timeFrame/);
  const version = runPeng(['-version']);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^peng \d+\.\d+\.\d+/);
});

test('a damaged capture still reports the windows before the damage, says what was wrong once, and exits 3 (incomplete)', () => {
  const bytes = readFileSync(capture);
  const cut = join(dir, 'cut.pcap');
  writeFileSync(cut, bytes.subarray(0, bytes.length - 30));
  const run = runPeng(['replay', cut, '-timeFrame', '10s', '-json', '-verbose', '0', '-localAddresses', LOCAL]);
  assert.equal(run.code, 3, run.stderr);
  const windows = windowsOf(run.stdout);
  assert.equal(windows.length, 1);
  assert.ok(Math.abs(windows[0]!.server.entropy - 0.43590558771) < 1e-9);
  assert.equal((run.stderr.match(/truncated last record at byte/g) ?? []).length, 1, run.stderr);
  assert.match(run.stderr, /replay of \S+ incomplete: reading stopped at the truncated last record after \d+ frames/);
});

/** The scan capture cut into rotations of `sizes` records (the rest in the last), written into a new directory. */
function rotate(name: string, sizes: number[], fileName: (k: number) => string): { dir: string; files: string[] } {
  const records = scanRecords();
  const rotations = join(dir, name);
  mkdirSync(rotations);
  const files: string[] = [];
  let from = 0;
  for (let k = 0; k <= sizes.length; k++) {
    const to = k < sizes.length ? from + sizes[k]! : records.length;
    const file = join(rotations, fileName(k));
    writeFileSync(file, pcapFile(linkTypeOf.ethernet, records.slice(from, to)));
    files.push(file);
    from = to;
  }
  return { dir: rotations, files };
}

const sameAsWhole = (stdout: string): JsonWindow[] => windowsOf(stdout).map((w) => ({ ...w, interface: '' }));
const JSON_FLAGS = ['-timeFrame', '10s', '-json', '-verbose', '0', '-localAddresses', LOCAL];

test('rotated captures (a directory, or files in any order) replay to the windows of the whole capture', () => {
  const whole = runPeng(['replay', capture, ...JSON_FLAGS]);
  // tcpdump -C numbering (f.pcap, f.pcap1, ...), the scan's 10 s window cut in four places.
  const numbered = rotate('numbered', [1000, 2000, 3000, 954], (k) => (k === 0 ? 'f.pcap' : `f.pcap${k}`));
  const fromDir = runPeng(['replay', numbered.dir, ...JSON_FLAGS]);
  assert.equal(fromDir.code, 0, fromDir.stderr);
  assert.deepEqual(sameAsWhole(fromDir.stdout), sameAsWhole(whole.stdout));
  assert.equal(windowsOf(fromDir.stdout)[0]!.interface, 'numbered');
  // tcpdump -G names whose plain order is not the time order, given shuffled.
  const stamped = rotate('stamped', [3000, 3954], (k) => ['b-2023-11-14_22.13.21.pcap', 'a-2023-11-14_22.13.24.pcap', 'c-2023-11-14_22.13.45.pcap'][k]!);
  const fromFiles = runPeng(['replay', stamped.files[2]!, stamped.files[0]!, stamped.files[1]!, ...JSON_FLAGS, '-debug']);
  assert.equal(fromFiles.code, 0, fromFiles.stderr);
  assert.deepEqual(sameAsWhole(fromFiles.stdout), sameAsWhole(whole.stdout));
  assert.match(fromFiles.stderr, /replay order: \S*b-2023\S* \S*a-2023\S* \S*c-2023\S*/);
});

test('rotations: a damaged middle file is said once and skipped, the rest replayed, exit 3; other files in the directory are skipped with a note', () => {
  const { dir: rotations, files } = rotate('damaged', [1000, 1000], (k) => `f.pcap${k}`);
  const middle = readFileSync(files[1]!);
  writeFileSync(files[1]!, middle.subarray(0, middle.length - 500)); // tcpdump killed mid-record
  writeFileSync(join(rotations, 'notes.txt'), 'rotated by tcpdump -C 100\n');
  const run = runPeng(['replay', rotations, ...JSON_FLAGS]);
  assert.equal(run.code, 3, run.stderr);
  assert.equal((run.stderr.match(/truncated last record/g) ?? []).length, 1, run.stderr);
  assert.match(run.stderr, /skipped 1 entry that is not a capture: \S*notes\.txt/);
  assert.match(run.stderr, /incomplete: 1 of 3 captures not read to their end/);
  const windows = windowsOf(run.stdout);
  assert.equal(windows.length, 3);
  assert.equal(windows[2]!.server.synPackets, 1, 'the file after the damage was replayed');
  assert.ok(windows[0]!.capture.frames < 3477 * 2 + 1 && windows[0]!.capture.frames > 3477 * 2 - 20);
});

test('-alignWindows: replay windows on multiples of the time frame since the epoch, the first partial; PENG_ALIGN_WINDOWS too', () => {
  for (const [args, env] of [[['-alignWindows'], {}], [[], { PENG_ALIGN_WINDOWS: 'true' }]] as const) {
    const run = runPeng(['replay', capture, ...JSON_FLAGS, ...args], { env });
    assert.equal(run.code, 0, run.stderr);
    const windows = windowsOf(run.stdout) as Array<JsonWindow & { partial?: boolean }>;
    assert.equal(windows[0]!.start, new Date(DEFAULT_START_MICROS / 1000).toISOString());
    assert.equal(windows[0]!.partial, true);
    assert.ok(windows.every((w) => Date.parse(w.start) % 10_000 === 0 && Date.parse(w.end) - Date.parse(w.start) === 10_000));
    assert.deepEqual(windows.slice(1).map((w) => w.partial ?? false), windows.slice(1).map(() => false));
  }
});
