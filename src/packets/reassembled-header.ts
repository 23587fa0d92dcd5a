import { classifyIcmp, classifyTcp, classifyUdp, TCP_BYTES_NEEDED } from './decode-transport.js';
import { MalformedReason, type ProbeRecord } from './probe-record.js';

/**
 * The transport header of a fragmented datagram, once enough of it is held: classified exactly as the
 * decoder classifies an unfragmented one, on the reassembly buffer instead of the frame.
 */

/** Bytes kept of each datagram: an ICMP error's 8 bytes, a quoted IPv4 header of up to 60 and the quoted ports. */
export const REASSEMBLY_BYTES = 72;
/** Not enough is held yet to say what the datagram is; distinct from every ProbeKind, 0 and MalformedReason. */
export const NOT_YET = -0x10000;

const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const ICMP_UNREACHABLE = 3;
const ICMPV6_UNREACHABLE = 1;
/** What an ICMPv6 error needs: its 8 bytes, the quoted IPv6 header and the quoted ports. */
const ICMPV6_ERROR_BYTES = 8 + 40 + 4;
/** An end past anything held: the datagram continues (its last fragment not seen yet). */
const CONTINUES = Number.MAX_SAFE_INTEGER;

/**
 * `bytes[base, base + contiguous)` is the start of the datagram's payload; `total` its length when the last
 * fragment was seen (else -1), `furthest` the furthest byte any fragment claimed. `contiguous` never exceeds
 * the buffer's share of the datagram, so nothing past it is read.
 */
export function classifyReassembled(
  bytes: Uint8Array, base: number, contiguous: number, total: number, furthest: number, protocol: number, v6: boolean, out: ProbeRecord,
): number {
  const whole = total >= 0 && contiguous >= total; // every byte of the datagram is held: it is as long as it gets
  if (contiguous < neededBytes(bytes, base, contiguous, protocol, v6) && !whole) return NOT_YET;
  const limit = base + (whole ? total : contiguous);
  const end = total >= 0 ? base + total : CONTINUES;
  // Whole but short of a header: the datagram itself is too short, as an unfragmented one would be.
  const short = whole ? MalformedReason.BadHeader : MalformedReason.FragmentTooShort;
  if (protocol === IPPROTO_TCP) {
    const kind = classifyTcp(bytes, base, limit, end, short, out);
    // Nothing but an ACK or FIN-ACK with payload unknown: a probe only if empty, which its last fragment tells.
    if (kind === 0 && total < 0 && furthest <= (bytes[base + 12]! >> 4) << 2) return NOT_YET;
    return kind;
  }
  if (protocol === IPPROTO_UDP) return classifyUdp(bytes, base, limit, short, out);
  return classifyIcmp(bytes, base, limit, v6, short, out);
}

/** Bytes from the start of the payload that the classification reads, as far as the held bytes tell. */
function neededBytes(bytes: Uint8Array, base: number, contiguous: number, protocol: number, v6: boolean): number {
  if (protocol === IPPROTO_TCP) return TCP_BYTES_NEEDED;
  if (protocol === IPPROTO_UDP) return 4;
  if (contiguous < 1) return 1;
  const type = bytes[base]!;
  if (v6) return type === ICMPV6_UNREACHABLE ? ICMPV6_ERROR_BYTES : 1;
  if (type !== ICMP_UNREACHABLE) return 1;
  // The quoted header's length is known once its first byte is held; assume the shortest until then.
  const quotedHeader = contiguous > 8 ? Math.max((bytes[base + 8]! & 0x0f) << 2, 20) : 20;
  return Math.min(8 + quotedHeader + 4, REASSEMBLY_BYTES);
}

/**
 * A fragment judged alone, for stateless callers (`decodeSyn`): a first fragment holding the whole header is
 * classified from its own bytes (as before reassembly existed), one too short for it is FragmentTooShort,
 * and a later fragment is nothing. The fragment table gives the same verdicts for a first fragment.
 */
export function classifyFragmentAlone(data: Uint8Array, out: ProbeRecord): number {
  const f = out.fragment;
  if (f.offset !== 0) return 0;
  const held = Math.min(f.captured, REASSEMBLY_BYTES);
  // The rest of the datagram is unseen: its end unknown, its payload assumed present (so a bare ACK is no probe).
  const kind = classifyReassembled(data, f.start, held, -1, CONTINUES, f.protocol, out.family === 6, out);
  return kind === NOT_YET ? -MalformedReason.FragmentTooShort : kind;
}
