import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { craftPcap } from '../../support/capture-writers.js';
import { TcpFlags, linkTypeOf, tcpFrame } from '../../support/frames.js';
import { pengBin } from '../../support/paths.js';
import { pengTestEnv, runPeng } from '../support/run-peng.js';

const root = process.getuid?.() === 0;
const dir = mkdtempSync(join(tmpdir(), 'peng-stdio-'));
const small = join(dir, 'small');
let mounted = false;

const WINDOWS = 300;
const ROW = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,[\d.e-]+,[\d.e-]+$/;
const STACK = /^\s+at |internal error|Uncaught|node:internal/m;

/** One SYN every 100 ms to a new port, each frame with a zeroed Ethernet trailer: one window per frame under -timeFrame 100ms. */
function writeCapture(file: string, trailerBytes: number): string {
  const frames = Array.from({ length: WINDOWS }, (_, i) => ({
    bytes: Buffer.concat([
      tcpFrame({ link: 'ethernet', ipv4: { src: '203.0.113.66', dst: '192.0.2.10' }, tcp: { srcPort: 55555, dstPort: 1000 + i, flags: TcpFlags.SYN } }),
      Buffer.alloc(trailerBytes),
    ]),
    seconds: 1_700_000_000 + Math.floor(i / 10),
    fraction: (i % 10) * 100_000,
  }));
  writeFileSync(file, craftPcap({ linkType: linkTypeOf.ethernet }, frames).bytes);
  return file;
}

const capture = writeCapture(join(dir, 'scan.pcap'), 0);
const replay = ['replay', capture, '-timeFrame', '100ms', '-verbose', '0', '-localAddresses', '192.0.2.10'];

test.before(() => {
  if (!root) return;
  mkdirSync(small);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', small]);
  mounted = true;
  // Fill it to the last byte, then free one page: the CSV gets about 85 rows, then a short write.
  const fd = openSync(join(small, 'filler'), 'w');
  const page = Buffer.alloc(4096, 0x2e);
  let size = 0;
  try {
    for (let i = 0; i < 64; i++) size += writeSync(fd, page);
  } catch {
    // ENOSPC: full.
  }
  ftruncateSync(fd, Math.max(0, size - 4096));
  closeSync(fd);
});

test.after(() => {
  if (mounted) execFileSync('umount', [small]);
  rmSync(dir, { recursive: true, force: true });
});

function csvRows(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  assert.ok(text.endsWith('\n'), 'the CSV ends with a whole row');
  const [header, ...rows] = text.slice(0, -1).split('\n');
  assert.equal(header, 'time,client,server');
  for (const row of rows) assert.match(row, ROW);
  return rows;
}

function count(text: string, pattern: RegExp): number {
  return text.match(new RegExp(pattern.source, 'g'))?.length ?? 0;
}

const lostTotal = (stderr: string): number => Number(/(\d+) window\(s\) or line\(s\) were not delivered/.exec(stderr)?.[1] ?? 0);

test('full disk for the CSV and -json to /dev/full: exit 1 without a crash, whole rows only, each loss counted and said once', { skip: !root && 'needs root to mount a tmpfs' }, () => {
  const csv = join(small, 'x.csv');
  const devFull = openSync('/dev/full', 'w');
  try {
    const run = runPeng([...replay, '-export', csv, '-json'], { stdoutFd: devFull });
    assert.equal(run.code, 1, run.stderr);
    assert.doesNotMatch(run.stderr, STACK);
    const rows = csvRows(csv);
    assert.ok(rows.length > 0 && rows.length < WINDOWS, `${rows.length} rows`);
    assert.equal(count(run.stderr, /cannot append a row to CSV file/), 1, run.stderr);
    assert.equal(count(run.stderr, /cannot write to stdout \(ENOSPC/), 1, run.stderr);
    // Every JSON window and every row not in the file, no more, no less.
    assert.equal(lostTotal(run.stderr), WINDOWS + (WINDOWS - rows.length), run.stderr);
  } finally {
    closeSync(devFull);
    rmSync(csv, { force: true });
  }
});

test('full disk for the CSV: -json on a working stdout still gets every window', { skip: !root && 'needs root to mount a tmpfs' }, () => {
  const csv = join(small, 'x.csv');
  try {
    const run = runPeng([...replay, '-export', csv, '-json']);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stdout.trim().split('\n').filter((l) => JSON.parse(l).interface === 'scan.pcap').length, WINDOWS);
    const rows = csvRows(csv);
    assert.equal(lostTotal(run.stderr), WINDOWS - rows.length, run.stderr);
    // The next run finds whole rows and appends whole rows after them.
    const again = runPeng([...replay, '-export', csv]);
    assert.equal(again.code, 1, again.stderr);
    assert.ok(csvRows(csv).length >= rows.length);
  } finally {
    rmSync(csv, { force: true });
  }
});

test('-json to /dev/full: the CSV still gets every window, the stdout failure is said once on stderr', () => {
  const csv = join(dir, 'roomy.csv');
  const devFull = openSync('/dev/full', 'w');
  try {
    const run = runPeng([...replay, '-export', csv, '-json'], { stdoutFd: devFull });
    assert.equal(run.code, 1, run.stderr);
    assert.doesNotMatch(run.stderr, STACK);
    assert.equal(csvRows(csv).length, WINDOWS);
    assert.equal(count(run.stderr, /cannot write to stdout/), 1, run.stderr);
    assert.equal(lostTotal(run.stderr), WINDOWS, run.stderr);
  } finally {
    closeSync(devFull);
  }
});

test('stderr to /dev/full: every window still on stdout, and the exit status says the messages were lost', () => {
  // Over 32 MiB, so the replay yields to the event loop mid-file and windows follow stderr's first failure.
  const big = writeCapture(join(dir, 'big.pcap'), 112_000);
  const devFull = openSync('/dev/full', 'w');
  try {
    // Console lines go to stderr (stdout carries JSON): the first window already fails there.
    const verbose = runPeng(['replay', big, '-timeFrame', '100ms', '-verbose', '1', '-json', '-localAddresses', '192.0.2.10'], { stderrFd: devFull });
    assert.equal(verbose.code, 1);
    assert.equal(verbose.stdout.trim().split('\n').length, WINDOWS);
    // Only a closing warning for stderr (no -localAddresses): the exit status alone can tell it was lost.
    const quiet = runPeng(['replay', capture, '-timeFrame', '100ms', '-verbose', '0', '-json'], { stderrFd: devFull });
    assert.equal(quiet.code, 1);
    assert.equal(quiet.stdout.trim().split('\n').length, WINDOWS);
  } finally {
    closeSync(devFull);
    rmSync(big, { force: true });
  }
});

test('the reader of stdout leaves (| head -1): said once, no crash, the CSV keeps whole rows, exit 1', async () => {
  const csv = join(dir, 'head.csv');
  const child = spawn(process.execPath, [pengBin, ...replay, '-export', csv, '-json'], { env: pengTestEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // Like `head -1`: take the first chunk, then close the pipe.
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('close', (status) => resolve(status)));
  clearTimeout(killer);
  assert.equal(code, 1, stderr);
  assert.doesNotMatch(stderr, STACK);
  assert.equal(count(stderr, /stdout was closed by its reader/), 1, stderr);
  assert.ok(csvRows(csv).length >= 1);
});
