import type { DirectionReport, WindowReport } from '../../../src/report/window-report.js';

/** A hand-built direction result; only the numbers the OTel instruments read matter here. */
export function direction(entropy: number, synPackets: number): DirectionReport {
  return { entropy, binEntropies: [entropy], synPackets, bitsSet: synPackets, bitsSetPerBin: [synPackets] };
}

export interface WindowSpec {
  iface?: string;
  startMs: number;
  lengthMs?: number;
  serverEntropy?: number;
  clientEntropy?: number;
  serverSyns?: number;
  clientSyns?: number;
  frames?: number;
  malformed?: number;
  dropped?: number;
}

/** A finished window as the detector would hand it to a sink. */
export function windowReport(spec: WindowSpec): WindowReport {
  const length = spec.lengthMs ?? 10_000;
  const capture: WindowReport['capture'] = {
    frames: spec.frames ?? 0,
    synPackets: (spec.serverSyns ?? 0) + (spec.clientSyns ?? 0),
    malformed: spec.malformed ?? 0,
  };
  if (spec.dropped !== undefined) capture.dropped = spec.dropped;
  return {
    start: new Date(spec.startMs),
    end: new Date(spec.startMs + length),
    interface: spec.iface ?? 'eth0',
    client: direction(spec.clientEntropy ?? 0, spec.clientSyns ?? 0),
    server: direction(spec.serverEntropy ?? 0, spec.serverSyns ?? 0),
    capture,
  };
}

/** Milliseconds as the nanosecond string OTLP/JSON carries. */
export function nanos(ms: number): string {
  return (BigInt(ms) * 1_000_000n).toString();
}
