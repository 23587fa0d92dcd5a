import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Detector } from '../../../src/detector/detector.js';
import { PacketTimeWindows } from '../../../src/windows/packet-time-windows.js';
import { LocalAddresses } from '../../../src/net/local-addresses.js';
import type { WindowReport } from '../../../src/report/window-report.js';
import { readCaptureFile } from '../../../src/sources/capture-file/capture-file.js';
import { TcpFlags, tcpSegment, ipv4Packet } from '../../../support/frames.js';
import { Xorshift32 } from '../../../support/xorshift.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const FRAMES = 3_000_000;
const FRAMES_PER_SECOND = 100_000;

/** A raw-IP pcap of SYNs from random sources to random ports of one host: a flood over all 65536 ports. */
function writeFlood(file: string): void {
  const template = ipv4Packet({ src: '198.51.100.1', dst: '192.0.2.10' }, tcpSegment({ srcPort: 1234, dstPort: 1, flags: TcpFlags.SYN }));
  const recordLength = 16 + template.length;
  const perChunk = 16384;
  const chunk = Buffer.alloc(perChunk * recordLength);
  for (let i = 0; i < perChunk; i++) template.forEach((b, j) => (chunk[i * recordLength + 16 + j] = b));
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(101, 20);
  const fd = openSync(file, 'w');
  writeSync(fd, header);
  const rng = new Xorshift32(0x5eed);
  for (let written = 0; written < FRAMES; written += perChunk) {
    const n = Math.min(perChunk, FRAMES - written);
    for (let i = 0; i < n; i++) {
      const at = i * recordLength;
      const index = written + i;
      chunk.writeUInt32LE(1_700_000_000 + Math.floor(index / FRAMES_PER_SECOND), at);
      chunk.writeUInt32LE((index % FRAMES_PER_SECOND) * 10, at + 4);
      chunk.writeUInt32LE(template.length, at + 8);
      chunk.writeUInt32LE(template.length, at + 12);
      chunk.writeUInt32BE(rng.nextU32(), at + 16 + 12); // random source address
      chunk.writeUInt16BE(rng.nextU32() & 0xffff, at + 16 + 22); // random destination port
    }
    writeSync(fd, chunk, 0, n * recordLength);
  }
  closeSync(fd);
}

test('a SYN flood over all ports from random sources leaves memory flat through a multi-million-packet replay', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peng-flood-'));
  try {
    const file = join(dir, 'flood.pcap');
    writeFlood(file);
    const reports: WindowReport[] = [];
    const detector = new Detector({
      bins: 16,
      size: 1024,
      interfaceName: 'flood',
      localAddresses: LocalAddresses.parse(['192.0.2.10']),
      onReport: (r) => {
        // Keep only the numbers: holding every report would be the test's own growth.
        if (reports.length < 2) reports.push(r);
      },
    });
    const windows = new PacketTimeWindows(detector, 1_000_000);
    let seen = 0;
    let heapEarly = 0;
    let rssEarly = 0;
    const consumer = {
      onFrame(data: Uint8Array, offset: number, length: number, linkType: number, seconds: number, nanoseconds: number): void {
        windows.onFrame(data, offset, length, linkType, seconds, nanoseconds);
        if (++seen === 300_000) {
          gc();
          heapEarly = process.memoryUsage().heapUsed;
          rssEarly = process.memoryUsage.rss();
        }
      },
    };
    const summary = await readCaptureFile(file, consumer, { progress: false });
    windows.finish();
    gc();
    const heapLate = process.memoryUsage().heapUsed;
    const rssLate = process.memoryUsage.rss();
    assert.equal(summary.frames, FRAMES);
    assert.equal(detector.totals.synPackets, FRAMES);
    assert.equal(detector.totals.malformed, 0);
    // 100 000 random ports a second fill every bit: the flood reads as a full scan.
    assert.equal(reports[0]!.server.entropy, 2);
    const heapGrowth = heapLate - heapEarly;
    const rssGrowth = rssLate - rssEarly;
    process.stderr.write(`# flood: heap ${(heapEarly / 1048576).toFixed(1)} -> ${(heapLate / 1048576).toFixed(1)} MiB, rss ${(rssEarly / 1048576).toFixed(1)} -> ${(rssLate / 1048576).toFixed(1)} MiB over ${FRAMES - 300_000} frames\n`);
    assert.ok(heapGrowth < 512 * 1024, `heap grew by ${heapGrowth} bytes over ${FRAMES - 300_000} frames`);
    assert.ok(rssGrowth < 8 * 1048576, `rss grew by ${rssGrowth} bytes`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
