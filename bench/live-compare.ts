/**
 * By hand: Peng against tcpdump and another Peng build (e.g. the cap-backed one) on one veth pair, in the
 * same run, at fixed masscan rates, with peak RSS and CPU per SYN of each. Namespaces are removed at the end.
 *
 *   node dist/bench/live-compare.js [OTHER_PENG_JS [LABEL]]   (BENCH_RATES=100000,200000 BENCH_SECONDS=2)
 */
import { withNamespaces } from '../support/netns.js';
import { captureRun, type CapturerSpec } from './live-capturers.js';
import { ratio } from './measure.js';
import { readOptions } from './options.js';

const [otherBin, otherLabel = 'peng (other build)'] = process.argv.slice(2);
const rates = (process.env.BENCH_RATES ?? '100000,200000').split(',').map(Number);
const seconds = Number(process.env.BENCH_SECONDS ?? '2');
const specs: CapturerSpec[] = [
  { kind: 'peng', bufferBytes: null },
  ...(otherBin ? [{ kind: 'peng' as const, bufferBytes: null, bin: { path: otherBin, label: otherLabel } }] : []),
  { kind: 'tcpdump', bufferBytes: null },
];

await withNamespaces(async (pair) => {
  for (const rate of rates) {
    const r = await captureRun(pair, readOptions(), `${rate / 1000} k/s`, rate, Math.min(1_000_000, rate * seconds), specs, false);
    const tcpdump = r.captures.find((c) => c.kind === 'tcpdump')!;
    console.log(`${r.label}: ${r.sent} SYNs reached the target at ~${Math.round(r.achievedPps / 1000)} k/s`);
    for (const c of r.captures) {
      console.log(
        `  ${c.capturer.padEnd(32)} seen ${String(c.seen).padStart(8)} (${ratio(c.seen, r.sent)} x reached)  drops ${c.kernelDrops ?? '?'}  ` +
          `cpu ${c.cpuMicrosPerSyn.toFixed(3)} us/SYN (${ratio(c.cpuMicrosPerSyn, tcpdump.cpuMicrosPerSyn)} x tcpdump)  peak RSS ${((c.peakRssKiB ?? 0) / 1024).toFixed(1)} MiB ` +
          `(${ratio(c.peakRssKiB ?? 0, tcpdump.peakRssKiB ?? 1)} x tcpdump)`,
      );
    }
  }
});
