import type { DirectionReport, MalformedCounts, ProbeCounts, WindowReport } from '../../src/report/window-report.js';

/** The seed's bitmap shape has 16 bins; hand-built directions use it unless told otherwise. */
const BINS = 16;

interface WindowNumbers {
  /** Network interface (default `eth0`). */
  interface?: string;
  /** Window length, ms (default 10 s). */
  lengthMs?: number;
  serverEntropy?: number;
  clientEntropy?: number;
  serverSyns?: number;
  clientSyns?: number;
  /** Frames seen (default: the window's SYNs, server plus client). */
  frames?: number;
  malformed?: number;
  /** Frames dropped by the capture; absent unless given, as on a platform that cannot tell. */
  dropped?: number;
  partial?: boolean;
  /** Probes by kind beyond the SYNs above (which also count as `syn` probes). */
  serverProbes?: Partial<ProbeCounts>;
  clientProbes?: Partial<ProbeCounts>;
  malformedBy?: Partial<MalformedCounts>;
  /** Anything else of a direction (per-bin figures, bits set), over what the fields above give. */
  server?: Partial<DirectionReport>;
  client?: Partial<DirectionReport>;
}

/** A window anchored at its start (OTLP reads start times) or at its end (line protocol stamps the end). */
export type WindowSpec = WindowNumbers & ({ startMs: number; endMs?: never } | { endMs: number; startMs?: never });

/** One direction with every bin at the total entropy, as uniform bins give it. */
function direction(entropy: number, synPackets: number, extra: Partial<DirectionReport> = {}): DirectionReport {
  return { entropy, binEntropies: new Array<number>(BINS).fill(entropy), synPackets, bitsSet: 0, bitsSetPerBin: new Array<number>(BINS).fill(0), ...extra };
}

/** Every probe kind at 0 but the SYNs, then what the spec gives. */
function probes(syn: number, extra: Partial<ProbeCounts> = {}): ProbeCounts {
  return { syn, fin: 0, null: 0, xmas: 0, maimon: 0, ack: 0, udp: 0, icmpEcho: 0, synAck: 0, rst: 0, icmpUnreachable: 0, ...extra };
}

/** A finished window built by hand, as the detector would hand it to the sinks. */
export function windowReport(spec: WindowSpec): WindowReport {
  const length = spec.lengthMs ?? 10_000;
  const startMs = spec.startMs ?? spec.endMs! - length;
  const client = direction(spec.clientEntropy ?? 0, spec.clientSyns ?? 0, spec.client);
  const server = direction(spec.serverEntropy ?? 0, spec.serverSyns ?? 0, spec.server);
  const synPackets = client.synPackets + server.synPackets;
  const report: WindowReport = {
    start: new Date(startMs),
    end: new Date(startMs + length),
    interface: spec.interface ?? 'eth0',
    client,
    server,
    capture: {
      frames: spec.frames ?? synPackets,
      synPackets,
      malformed: spec.malformed ?? 0,
      malformedBy: { truncated: 0, badHeader: 0, tunnelTooDeep: 0, unsupportedLink: 0, fragmentTooShort: 0, ...spec.malformedBy } as MalformedCounts,
      damaged: 0,
    },
    probes: { server: probes(server.synPackets, spec.serverProbes), client: probes(client.synPackets, spec.clientProbes) },
  };
  if (spec.dropped !== undefined) report.capture.dropped = spec.dropped;
  if (spec.partial !== undefined) report.partial = spec.partial;
  return report;
}

/** Milliseconds as the nanosecond string OTLP/JSON carries. */
export function nanos(ms: number): string {
  return (BigInt(ms) * 1_000_000n).toString();
}

/** A window with the seed's numbers only (no probe counts): one line of line protocol, as InfluxDB tests count them. */
export function seedWindowReport(spec: WindowSpec): WindowReport {
  const { probes: _probes, ...seed } = windowReport(spec);
  return seed as WindowReport;
}
