import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readCaptureFile } from '../../../src/sources/capture-file/capture-file.js';
import { TcpFlags, tcpFrame, linkTypeOf } from '../../../support/frames.js';
import { pcapFile } from '../../../support/capture-writers.js';
import { run } from '../../../support/netns.js';

test('an abort signal stops reading between chunks: frames so far delivered, the rest not, no damage reported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peng-abort-'));
  try {
    const frame = tcpFrame({ link: 'ethernet', ipv4: { src: '198.51.100.1', dst: '192.0.2.1' }, tcp: { dstPort: 80, flags: TcpFlags.SYN } });
    const bytes = pcapFile(linkTypeOf.ethernet, Array.from({ length: 20_000 }, () => frame));
    const plain = join(dir, 'f.pcap');
    writeFileSync(plain, bytes);
    const gz = join(dir, 'f.pcap.gz');
    writeFileSync(gz, gzipSync(bytes));
    for (const file of [plain, gz]) {
      const controller = new AbortController();
      let frames = 0;
      const problems: string[] = [];
      const summary = await readCaptureFile(
        file,
        {
          onFrame() {
            if (++frames === 100) controller.abort();
          },
        },
        { chunkSize: 64 * 1024, signal: controller.signal, onProblem: (m) => problems.push(m), progress: false },
      );
      assert.equal(summary.interrupted, true, file);
      assert.equal(summary.frames, frames);
      assert.ok(frames >= 100 && frames < 20_000, `${file}: ${frames} frames`);
      assert.deepEqual(problems, [], 'stopping is not damage');
    }
    const whole = await readCaptureFile(plain, { onFrame() {} }, { signal: new AbortController().signal, progress: false });
    assert.deepEqual([whole.interrupted, whole.frames], [false, 20_000]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an abort signal ends a read waiting on a FIFO with no writer at once: interrupted, nothing delivered, nothing left open', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peng-abort-fifo-'));
  try {
    const fifo = join(dir, 'no-writer');
    await run(null, 'mkfifo', [fifo]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = performance.now();
    const problems: string[] = [];
    const summary = await readCaptureFile(fifo, { onFrame: () => assert.fail('no frame') }, { signal: controller.signal, onProblem: (m) => problems.push(m), progress: false });
    assert.ok(performance.now() - started < 2_000, 'returned soon after the abort');
    assert.deepEqual([summary.interrupted, summary.frames, summary.stoppedEarly, summary.format], [true, 0, null, null]);
    assert.deepEqual(problems, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
