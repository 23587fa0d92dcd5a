import { join } from 'node:path';
import { Detector } from '../../src/detector/detector.js';
import { readCaptureFile } from '../../src/sources/capture-file/capture-file.js';
import type { WindowReport } from '../../src/report/window-report.js';
import { repoRoot } from '../../support/paths.js';

/** Replays `test/fixtures/<file>` through the capture reader into a Detector, as a replay does; one window for the whole file. */
export async function replayFixture(file: string): Promise<WindowReport> {
  let report: WindowReport | undefined;
  const detector = new Detector({ bins: 64, size: 1024, interfaceName: file, localAddresses: null, onReport: (r) => (report = r) });
  await readCaptureFile(join(repoRoot, 'test', 'fixtures', file), { onFrame: (data, offset, length, linkType, seconds) => detector.addFrame(data, offset, length, linkType, seconds) }, { progress: false });
  detector.closeWindow(0, 1, true);
  return report!;
}
