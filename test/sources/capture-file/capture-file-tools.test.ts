import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCaptureFile, type CaptureFileSummary } from '../../../src/sources/capture-file/capture-file.js';
import { craftPcap } from '../../../support/capture-writers.js';
import { FrameCollector } from '../../support/frame-collector.js';
import { TcpFlags, tcpFrame } from '../../../support/frames.js';
import { Background, run } from '../../../support/netns.js';

// Files written by real tcpdump, editcap and gzip, read by us and by libpcap (tcpdump) or tshark: the readings must agree.

const dir = mkdtempSync(join(tmpdir(), 'peng-capfile-tools-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface ToolFrame {
  micros: number;
  /** Captured length; tcpdump's one-line output does not show it. */
  length?: number;
}

/** Epoch seconds as printed with nine decimals, to microseconds without a float detour. */
function parseEpoch(text: string): number {
  const [seconds, fraction = ''] = text.split('.');
  return Number(seconds) * 1e6 + Number(fraction.padEnd(9, '0').slice(0, 9)) / 1000;
}

/** libpcap's reading through tcpdump: epoch time per frame (fast; tshark takes seconds to start). */
async function tcpdumpFrames(path: string): Promise<ToolFrame[]> {
  const { stdout } = await run(null, 'tcpdump', ['-nn', '-q', '-tt', '--time-stamp-precision=nano', '-r', path]);
  return stdout
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => ({ micros: parseEpoch(line.split(' ')[0]) }));
}

/** tshark's reading: epoch time (parsed from its decimal text, exactly) and captured length per frame. */
async function tsharkFrames(path: string): Promise<ToolFrame[]> {
  const { stdout } = await run(null, 'tshark', ['-n', '-r', path, '-T', 'fields', '-E', 'separator=,', '-e', 'frame.time_epoch', '-e', 'frame.cap_len']);
  return stdout
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [time, length] = line.split(',');
      return { micros: parseEpoch(time), length: Number(length) };
    });
}

type Reader = (path: string) => Promise<ToolFrame[]>;

async function agree(reader: Reader, path: string, format: CaptureFileSummary['format'], compressed = false): Promise<number> {
  const collector = new FrameCollector();
  const summary = await readCaptureFile(path, collector, { progress: false });
  const reference = await reader(path);
  assert.equal(summary.format, format, path);
  assert.equal(summary.compressed, compressed, path);
  assert.equal(summary.problems, 0, path);
  assert.equal(collector.frames.length, reference.length, `${path}: frame count`);
  reference.forEach((r, i) => {
    const ours = collector.frames[i];
    if (r.length !== undefined) assert.equal(ours.bytes.length, r.length, `${path}: length of frame ${i}`);
    // A double near 1.7e15 µs holds quarter microseconds: nanosecond files agree to that.
    assert.ok(Math.abs(ours.timeMicros - r.micros) <= 0.25, `${path}: time of frame ${i}: ${ours.timeMicros} vs ${r.micros}`);
  });
  return reference.length;
}

test('files written by tcpdump and editcap (pcap, nanosecond pcap, modified pcap, pcapng, gzip) read as libpcap and tshark read them', async () => {
  // SYNs and SYN-ACKs alternate; tcpdump keeps the SYNs only, as users prefilter big captures.
  const specs = Array.from({ length: 40 }, (_, i) => ({
    bytes: tcpFrame({ link: 'ethernet', ipv4: { src: `10.0.${i}.1`, dst: '10.0.0.2' }, tcp: { dstPort: 1000 + i, flags: i % 2 ? TcpFlags.SYN | TcpFlags.ACK : TcpFlags.SYN } }),
    seconds: 1_700_000_000 + i * 3,
    fraction: (i * 123_457) % 1e6,
  }));
  const crafted = join(dir, 'crafted.pcap');
  writeFileSync(crafted, craftPcap({ linkType: 1 }, specs).bytes);
  const synOnly = join(dir, 'syn-only.pcap');
  await run(null, 'tcpdump', ['-n', '-r', crafted, '-w', synOnly, 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn']);
  assert.equal(await agree(tcpdumpFrames, synOnly, 'pcap'), 20);
  const nano = join(dir, 'nano.pcap');
  await run(null, 'tcpdump', ['-n', '--time-stamp-precision=nano', '-r', crafted, '-w', nano]);
  assert.equal(await agree(tcpdumpFrames, nano, 'pcap'), 40);
  for (const [type, format] of [['pcapng', 'pcapng'], ['nsecpcap', 'pcap'], ['modpcap', 'pcap']] as const) {
    const out = join(dir, `edited.${type}`);
    await run(null, 'editcap', ['-F', type, crafted, out]);
    assert.equal(await agree(tcpdumpFrames, out, format), 40, type);
  }
  const nanoNg = join(dir, 'nano.pcapng');
  await run(null, 'editcap', ['-F', 'pcapng', nano, nanoNg]);
  await agree(tcpdumpFrames, nanoNg, 'pcapng');
  await run(null, 'gzip', ['-k', nanoNg]);
  assert.equal(await agree(tsharkFrames, `${nanoNg}.gz`, 'pcapng', true), 40);
});

test('a live tcpdump capture of loopback SYNs (nanosecond pcap, and as pcapng) reads as tshark and libpcap read it', { skip: process.getuid?.() !== 0 && 'needs root for tcpdump -i lo' }, async () => {
  const server = createServer((socket) => socket.end()).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  const live = join(dir, 'live.pcap');
  const connections = 5;
  // Each connection shows a SYN and a SYN-ACK; -c makes tcpdump exit by itself.
  const tcpdump = new Background(null, 'tcpdump', ['-i', 'lo', '-n', '-U', '--time-stamp-precision=nano', '-c', String(2 * connections), '-w', live, `tcp port ${port} and tcp[tcpflags] & tcp-syn != 0`]);
  try {
    await tcpdump.waitFor(/listening on/);
    for (let i = 0; i < connections; i++) {
      await new Promise<void>((resolve, reject) => connect(port, '127.0.0.1').on('close', () => resolve()).on('error', reject).resume());
    }
    const exit = await tcpdump.wait(10_000);
    assert.equal(exit.timedOut, false, `tcpdump did not see ${2 * connections} SYNs: ${tcpdump.stderr}`);
  } finally {
    await tcpdump.stop();
    server.close();
  }
  assert.equal(await agree(tsharkFrames, live, 'pcap'), 2 * connections);
  const ng = join(dir, 'live.pcapng');
  await run(null, 'editcap', ['-F', 'pcapng', live, ng]);
  assert.equal(await agree(tcpdumpFrames, ng, 'pcapng'), 2 * connections);
});
