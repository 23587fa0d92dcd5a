import type { ScanReason } from '../report/scan-report.js';
import * as P from './params.js';

/** What the table knows of one source when it decides (all counts since first seen). */
export interface Evidence {
  /** Distinct destination ports and hosts of its probes (estimates), and of the ports those below 1024. */
  ports: number;
  privilegedPorts: number;
  hosts: number;
  /** NULL and XMAS probes: segments no TCP connection ever carries. */
  stealth: number;
  /** Distinct (host, port) pairs it probed. */
  targets: number;
  /** Distinct targets that answered open (SYN-ACK) and closed or unreachable (RST, ICMP unreachable). */
  successes: number;
  failures: number;
  /** Whether any reply to it was seen: only then do outcomes say anything (one-way captures show none). */
  repliesSeen: boolean;
}

/**
 * The rules, in order, with the thresholds of params.ts. A source whose attempts mostly succeed is not a
 * scanner whatever its fan-out (TRW's benign side); otherwise stealth probes, then many ports (vertical),
 * many hosts (horizontal), some of both (mixed), and finally more failed first contacts than successes
 * (TRW's scanner side) name it. Returns null while the evidence is short of every rule.
 */
export function decideScan(ev: Evidence): ScanReason | null {
  if (ev.repliesSeen && ev.targets >= P.MIN_TARGETS_FOR_OUTCOMES && ev.successes >= P.BENIGN_SUCCESS_RATIO * ev.targets) return null;
  if (ev.stealth >= P.STEALTH_PROBES) return 'stealth';
  if (ev.ports >= P.VERTICAL_PORTS || ev.ports + (P.PRIVILEGED_PORT_WEIGHT - 1) * ev.privilegedPorts >= P.PORT_SCORE) return 'vertical';
  if (ev.hosts >= P.HORIZONTAL_HOSTS) return 'horizontal';
  if (ev.ports / P.VERTICAL_PORTS + ev.hosts / P.HORIZONTAL_HOSTS >= P.MIXED_SCORE && ev.ports > 1 && ev.hosts > 1) return 'mixed';
  if (ev.repliesSeen && ev.failures - ev.successes >= P.TRW_NET_FAILURES) return 'failures';
  return null;
}
