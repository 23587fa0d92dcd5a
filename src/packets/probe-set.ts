import { ProbeKind } from './probe-record.js';

/**
 * The `-probes` option's values: groups of probe kinds a user can turn on. The kernel filter passes exactly
 * these (live), and the detector counts exactly these (live and replay, so both agree). `syn` is always on:
 * the seed's port bitmaps are fed by connection-opening SYNs and nothing else.
 */
export const PROBE_SET_NAMES = ['syn', 'stealth', 'ack', 'udp', 'icmp', 'replies', 'tunnels'] as const;
export type ProbeSetName = (typeof PROBE_SET_NAMES)[number];

/**
 * Live default. UDP and pure ACKs are opt-in: every DNS/QUIC datagram and every ACK of an established
 * connection would otherwise cross into JavaScript on a busy server, each costing a wakeup, a copy and a
 * decode. Tunnels too: on a tunnel endpoint they carry all traffic.
 */
export const DEFAULT_PROBE_SETS: readonly ProbeSetName[] = ['syn', 'stealth', 'icmp', 'replies'];

/**
 * Replay default: a capture file costs the same to read whatever it holds, so nothing is gained by counting
 * less, and offline analysis (UDP and ACK scans in labelled captures) wants every kind.
 */
export const REPLAY_PROBE_SETS: readonly ProbeSetName[] = PROBE_SET_NAMES;

/** `-probes` as configured (empty = the mode's default), `syn` included. */
export function resolveProbeSets(configured: readonly ProbeSetName[], mode: 'live' | 'replay'): ProbeSetName[] {
  return normalizeProbeSets(configured.length > 0 ? configured : mode === 'live' ? DEFAULT_PROBE_SETS : REPLAY_PROBE_SETS);
}

const KINDS: Record<ProbeSetName, readonly ProbeKind[]> = {
  syn: [ProbeKind.Syn],
  stealth: [ProbeKind.Fin, ProbeKind.Null, ProbeKind.Xmas, ProbeKind.Maimon],
  ack: [ProbeKind.Ack],
  udp: [ProbeKind.Udp],
  icmp: [ProbeKind.IcmpEcho],
  replies: [ProbeKind.SynAck, ProbeKind.Rst, ProbeKind.IcmpUnreachable],
  // Not a kind: tunnelled frames are classified by what they carry, which the other values select.
  tunnels: [],
};

export function isProbeSetName(name: string): name is ProbeSetName {
  return (PROBE_SET_NAMES as readonly string[]).includes(name);
}

/** The enabled sets, `syn` added when missing, in PROBE_SET_NAMES order without duplicates. */
export function normalizeProbeSets(sets: readonly ProbeSetName[]): ProbeSetName[] {
  return PROBE_SET_NAMES.filter((name) => name === 'syn' || sets.includes(name));
}

/** Bit `kind` set for every ProbeKind the sets enable (the detector's mask). */
export function probeKindMask(sets: readonly ProbeSetName[]): number {
  let mask = 1 << ProbeKind.Syn;
  for (const name of sets) for (const kind of KINDS[name]) mask |= 1 << kind;
  return mask;
}
