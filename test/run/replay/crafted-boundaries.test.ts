import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CRAFTED_LOCAL, writeCraftedCapture } from '../../reference/crafted-capture.js';
import { referenceRuns, type ReferenceRun } from '../../reference/reference.js';
import { assertSameWindows, pengBuilt, pengReplay } from './peng-replay.js';

test(
  'peng replay agrees with the reference on frames one microsecond either side of a window boundary',
  { skip: !pengBuilt && 'peng CLI not built yet' },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'peng-boundaries-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'crafted.pcap');
    writeCraftedCapture(file);
    const runs: ReferenceRun[] = [
      { timeFrame: '1s', local: CRAFTED_LOCAL },
      { timeFrame: '1s' },
      { timeFrame: '500ms', local: CRAFTED_LOCAL },
      { timeFrame: '100ms', local: CRAFTED_LOCAL },
      { timeFrame: '1h', local: ['192.0.2.9'] },
    ];
    const reference = await referenceRuns(file, runs);
    for (const [i, options] of runs.entries()) {
      assertSameWindows(await pengReplay(file, options), reference[i]!, `-timeFrame ${options.timeFrame} local ${(options.local ?? []).join(',')}`);
    }
  },
);
