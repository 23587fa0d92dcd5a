import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { ReferenceWindow } from '../../reference/reference.js';
import { run } from '../../../support/netns.js';
import { pengBin } from '../../../support/paths.js';

/** The fields of a `--json` WindowReport line that the comparison reads. */
export interface PengWindow {
  start: string;
  end: string;
  client: { entropy: number; synPackets: number };
  server: { entropy: number; synPackets: number };
  capture: { frames: number; synPackets: number; malformed: number };
  gap?: { windows: number };
}

/** False until the CLI is built into the running build folder. */
export const pengBuilt: boolean = existsSync(pengBin);

/** Runs `peng replay FILE -timeFrame T -json [-localAddresses A,B]` and parses its stdout. */
export async function pengReplay(file: string, options: { timeFrame: string; local?: readonly string[] }): Promise<PengWindow[]> {
  const args = [pengBin, 'replay', file, '-timeFrame', options.timeFrame, '-json'];
  if (options.local && options.local.length > 0) args.push('-localAddresses', options.local.join(','));
  const { stdout } = await run(null, process.execPath, args, { timeoutMs: 60_000 });
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .flatMap((line, i) => {
      let window: PengWindow;
      try {
        window = JSON.parse(line) as PengWindow;
      } catch {
        throw new Error(`peng --json stdout line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
      }
      return window.gap ? expandGap(window) : [window];
    });
}

/** The empty windows a gap record stands for, one by one, as the reference (which has no gaps) reports them. */
function expandGap(gap: PengWindow): PengWindow[] {
  const start = Date.parse(gap.start);
  const step = (Date.parse(gap.end) - start) / gap.gap!.windows;
  assert.ok(Number.isInteger(step) && step > 0, `a gap of ${gap.gap!.windows} windows from ${gap.start} to ${gap.end}`);
  return Array.from({ length: gap.gap!.windows }, (_, k) => ({
    ...gap,
    start: new Date(start + k * step).toISOString(),
    end: new Date(start + (k + 1) * step).toISOString(),
  }));
}

/** Every window equal: same boundaries, entropies to 1e-9, same SYN and frame counts. */
export function assertSameWindows(peng: PengWindow[], reference: ReferenceWindow[], label: string): void {
  assert.equal(peng.length, reference.length, `${label}: peng reported ${peng.length} windows, the reference ${reference.length}`);
  for (let i = 0; i < reference.length; i++) {
    const p = peng[i]!;
    const r = reference[i]!;
    const where = `${label}, window ${i} (${r.start})`;
    assert.equal(p.start, r.start, `${where}: start`);
    assert.equal(p.end, r.end, `${where}: end`);
    assert.ok(Math.abs(p.server.entropy - r.server_entropy) <= 1e-9, `${where}: server entropy ${p.server.entropy} vs ${r.server_entropy}`);
    assert.ok(Math.abs(p.client.entropy - r.client_entropy) <= 1e-9, `${where}: client entropy ${p.client.entropy} vs ${r.client_entropy}`);
    assert.equal(p.server.synPackets, r.server_syns, `${where}: server SYNs`);
    assert.equal(p.client.synPackets, r.client_syns, `${where}: client SYNs`);
    assert.equal(p.capture.frames, r.frames, `${where}: frames`);
    assert.equal(p.capture.synPackets, r.syn_packets, `${where}: SYNs in the capture`);
    assert.equal(p.capture.malformed, 0, `${where}: malformed frames`);
  }
}
