import type { GeneratedCapture } from './generate-capture.js';
import { ratio, timeCommand } from './measure.js';
import { benchScript, type BenchOptions } from './options.js';
import { goal, type Row, type SectionResult } from './report.js';

interface AttributionFigures {
  sampleFrames: number;
  detection: Array<{ kind: string; probes: number; reason: string }>;
  bytesDefault: number;
  bytes65536: number;
  observeNs: number;
  detectorOffNs: number;
  detectorOnNs: number;
  tableAfterSample: { sources: number; evictions: number; detections: number };
}

const round = (x: number): number => Math.round(x * 10) / 10;
/** TRW (Jung et al. 2004) decides within 4-5 attempts where outcomes are seen: the anchor for the first row. */
const TRW_ATTEMPTS = 5;

/** Scan attribution: probes until each kind of scanner is named, the table's memory, its per-probe cost. */
export async function attributionSection(_o: BenchOptions, capture: GeneratedCapture, log: (line: string) => void): Promise<SectionResult> {
  log('attribution: probes until named, table memory, observe cost, detector with and without the table');
  const result = await timeCommand([process.execPath, benchScript('attribution-probe.js'), capture.pcap], { captureStdout: true, timeoutMs: 300_000 });
  const a = JSON.parse(result.stdout) as AttributionFigures;
  const rows: Row[] = [
    ...a.detection.map((d) => ({ figure: `probes until named: ${d.kind}`, value: d.probes, unit: `probes (${d.reason})`, ratio: ratio(d.probes, TRW_ATTEMPTS), 'ratio to': 'TRW 5 attempts' })),
    { figure: 'table memory, default 1024 sources', value: a.bytesDefault, unit: 'B', ratio: 1, 'ratio to': 'default' },
    { figure: 'table memory, -maxSources 65536', value: a.bytes65536, unit: 'B', ratio: ratio(a.bytes65536, a.bytesDefault), 'ratio to': 'default' },
    { figure: 'ScanTable.observe (SYN, 4096 sources churning 1024 entries)', value: round(a.observeNs), unit: 'ns/probe', ratio: ratio(a.observeNs, a.detectorOffNs), 'ratio to': 'detector ns/frame' },
    { figure: 'detector per frame, attribution off', value: round(a.detectorOffNs), unit: 'ns/frame', ratio: 1, 'ratio to': 'off' },
    { figure: 'detector per frame, attribution on', value: round(a.detectorOnNs), unit: 'ns/frame', ratio: ratio(a.detectorOnNs, a.detectorOffNs), 'ratio to': 'off' },
  ];
  const trw = a.detection[0]!;
  return {
    id: 'attribution',
    title: `Scan attribution (CPU ns, median of 5; ${a.sampleFrames} frames of the bench capture, in process)`,
    rows,
    goals: [
      goal('scanner named within TRW\'s attempts where replies are seen', `<= ${TRW_ATTEMPTS} probes`, `${trw.probes} probes`, trw.probes > 0 && trw.probes <= TRW_ATTEMPTS),
      goal('table memory linear in -maxSources', '65536 = 64 x 1024', `${ratio(a.bytes65536, a.bytesDefault)} x`, a.bytes65536 === 64 * a.bytesDefault),
    ],
    notes: ['probes until named: synthetic probes into the table, with the target\'s RST after each where "RSTs seen"; one-way rows have no replies, so only the port, host and stealth rules can name them.'],
    data: a,
  };
}
