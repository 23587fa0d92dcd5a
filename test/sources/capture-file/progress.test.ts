import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CaptureProgress } from '../../../src/sources/capture-file/progress.js';
import { craftPcap, patternBytes } from '../../../support/capture-writers.js';
import { buildRoot } from '../../../support/paths.js';
import { run } from '../../../support/netns.js';

const dir = mkdtempSync(join(tmpdir(), 'peng-progress-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A progress line on a stand-in terminal with a hand-driven clock. */
function fakeTerminal() {
  const writes: string[] = [];
  let now = 0;
  return { writes, output: { write: (s: string) => writes.push(s) }, clock: () => now, advance: (ms: number) => (now += ms) };
}

test('progress redraws at most four times a second with frames, percent and rate, then clears its line', () => {
  const t = fakeTerminal();
  const progress = new CaptureProgress(1000, t.output, t.clock);
  for (let i = 1; i <= 100; i++) {
    t.advance(10); // one chunk every 10 ms for one second
    progress.update(i * 1000, i * 10);
  }
  assert.equal(t.writes.length, 4);
  assert.equal(t.writes[0], '\r25,000 frames  25.0%  100,000 frames/s');
  assert.ok(t.writes.every((w) => w.startsWith('\r') && !w.includes('\n')));
  const width = Math.max(...t.writes.map((w) => w.length - 1));
  progress.finish();
  assert.equal(t.writes.at(-1), '\r' + ' '.repeat(width) + '\r');
});

test('a replay shorter than a quarter second prints nothing; an unknown size leaves out the percentage', () => {
  const t = fakeTerminal();
  const quick = new CaptureProgress(1000, t.output, t.clock);
  t.advance(200);
  quick.update(10, 500);
  quick.finish();
  assert.deepEqual(t.writes, []);
  const pipe = new CaptureProgress(0, t.output, t.clock);
  t.advance(300);
  pipe.update(3000, 500);
  assert.deepEqual(t.writes, ['\r3,000 frames  10,000 frames/s']);
});

test('readCaptureFile draws progress on stderr only, never stdout, and by default only on a terminal', async () => {
  const capture = join(dir, 'slow.pcap');
  const specs = Array.from({ length: 300 }, (_, i) => ({ bytes: patternBytes(i, 60), seconds: 1_700_000_000 + i, fraction: 0 }));
  writeFileSync(capture, craftPcap({ linkType: 1 }, specs).bytes);
  const module = pathToFileURL(join(buildRoot, 'src', 'sources', 'capture-file', 'capture-file.js')).href;
  const script = join(dir, 'replay.mjs');
  // A consumer that takes 2 ms a frame makes the replay last long enough for a progress line.
  writeFileSync(
    script,
    `import { readCaptureFile } from ${JSON.stringify(module)};
const pause = new Int32Array(new SharedArrayBuffer(4));
const progress = process.argv[3] === 'forced' ? true : undefined;
const summary = await readCaptureFile(process.argv[2], { onFrame() { Atomics.wait(pause, 0, 0, 2); } }, { progress, chunkSize: 64 });
if (summary.frames !== 300) process.exit(3);
`,
  );
  const forced = await run(null, process.execPath, [script, capture, 'forced']);
  assert.equal(forced.stdout, '');
  assert.match(forced.stderr, /^\r\d[\d,]* frames {2}\d+\.\d% {2}[\d,]+ frames\/s/);
  assert.match(forced.stderr, /\r {10,}\r$/, 'the line is cleared at the end');
  const byDefault = await run(null, process.execPath, [script, capture]);
  assert.deepEqual([byDefault.stdout, byDefault.stderr], ['', ''], 'stderr is a pipe here, not a terminal');
});
