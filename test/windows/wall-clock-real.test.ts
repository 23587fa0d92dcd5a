import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Detector } from '../../src/detector/detector.js';
import { WallClockWindows } from '../../src/windows/wall-clock-windows.js';
import type { WindowReport } from '../../src/report/window-report.js';

const FRAME_MS = 200;

test('on the real clock a 200 ms frame gives contiguous windows aligned to 200 ms, partial first and last', async () => {
  const reports: WindowReport[] = [];
  const detector = new Detector({
    bins: 16,
    size: 1024,
    interfaceName: 'lo',
    localAddresses: null,
    onReport: (r) => reports.push(r),
  });
  const windows = new WallClockWindows({ timeFrameMicros: FRAME_MS * 1000, targets: [detector] });
  windows.start();
  await sleep(FRAME_MS * 3 + 150);
  windows.stop();

  assert.ok(reports.length >= 4, `${reports.length} windows`);
  for (const [i, r] of reports.entries()) {
    assert.ok(r.end > r.start, `window ${i} has a length`);
    if (i > 0) assert.equal(r.start.getTime(), reports[i - 1]!.end.getTime(), `window ${i} starts where ${i - 1} ended`);
    if (i < reports.length - 1) assert.equal(r.end.getTime() % FRAME_MS, 0, `window ${i} ends on a boundary`);
    if (i > 0 && i < reports.length - 1) {
      assert.equal(r.end.getTime() - r.start.getTime(), FRAME_MS);
      assert.equal(r.partial, undefined);
    }
  }
  const first = reports[0]!;
  assert.equal(first.partial === true, first.start.getTime() % FRAME_MS !== 0);
  // stop() closes the window in progress as partial, unless it landed exactly on a boundary (then it is whole).
  const last = reports.at(-1)!;
  assert.equal(last.partial === true, last.end.getTime() - last.start.getTime() !== FRAME_MS);
});
