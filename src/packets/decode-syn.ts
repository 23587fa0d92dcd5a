import { decodeFrame } from './decode-frame.js';
import { createProbeRecord, DecodeOutcome, MalformedReason, ProbeKind } from './probe-record.js';
import { classifyFragmentAlone } from './reassembled-header.js';
import { DecodeResult, type SynRecord } from './syn-record.js';

const scratch = createProbeRecord();

/**
 * The seed's question of one frame: is it a connection-opening TCP segment (SYN set, ACK clear)? A view of
 * `decodeFrame` kept for library users; `out` is written only when the result is Syn.
 */
export function decodeSyn(data: Uint8Array, offset: number, length: number, linkType: number, out: SynRecord): DecodeResult {
  let kind = decodeFrame(data, offset, length, linkType, scratch);
  // Stateless: a fragment is judged by its own bytes (a SYN split before its flags is not seen here).
  if (kind === DecodeOutcome.Fragment) kind = classifyFragmentAlone(data, scratch);
  if (kind === ProbeKind.Syn) {
    out.family = scratch.family;
    out.src4 = scratch.src4;
    out.dst4 = scratch.dst4;
    out.src6.set(scratch.src6);
    out.dst6.set(scratch.dst6);
    out.srcPort = scratch.srcPort;
    out.dstPort = scratch.dstPort;
    return DecodeResult.Syn;
  }
  if (kind >= 0) return DecodeResult.Other;
  return kind === -MalformedReason.UnsupportedLink ? DecodeResult.UnsupportedLink : DecodeResult.Malformed;
}
