import type { DirectionReport, WindowReport } from '../../src/report/window-report.js';

export interface ReportShape {
  interface?: string;
  /** Window end, ms since the epoch. */
  endMs: number;
  /** Window length, ms (default 60 s). */
  frameMs?: number;
  clientEntropy?: number;
  serverEntropy?: number;
  clientSyn?: number;
  serverSyn?: number;
}

function direction(entropy: number, synPackets: number): DirectionReport {
  return { entropy, binEntropies: new Array<number>(16).fill(entropy), synPackets, bitsSet: 0, bitsSetPerBin: new Array<number>(16).fill(0) };
}

/** A WindowReport built by hand, as the detector would emit it. */
export function windowReport(shape: ReportShape): WindowReport {
  const frame = shape.frameMs ?? 60_000;
  const client = direction(shape.clientEntropy ?? 0, shape.clientSyn ?? 0);
  const server = direction(shape.serverEntropy ?? 0, shape.serverSyn ?? 0);
  return {
    start: new Date(shape.endMs - frame),
    end: new Date(shape.endMs),
    interface: shape.interface ?? 'eth0',
    client,
    server,
    capture: { frames: client.synPackets + server.synPackets, synPackets: client.synPackets + server.synPackets, malformed: 0 },
  };
}
