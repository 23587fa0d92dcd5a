import { ipv4Packet, ipv6Packet, type Ipv4Spec, type Ipv6Spec } from '../../support/frames.js';

/**
 * Splits an IP payload into fragments the way a sender does (RFC 791, RFC 8200): `sizes` are the data bytes
 * of each fragment but the last (multiples of 8 for a well-formed stream); the last takes the rest.
 */
export interface Piece {
  offset: number;
  bytes: Uint8Array;
  more: boolean;
}

export function split(payload: Uint8Array, sizes: readonly number[]): Piece[] {
  const pieces: Piece[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= payload.length) break;
    pieces.push({ offset: at, bytes: payload.subarray(at, Math.min(at + size, payload.length)), more: true });
    at += size;
  }
  if (at < payload.length) pieces.push({ offset: at, bytes: payload.subarray(at), more: false });
  else pieces[pieces.length - 1]!.more = false;
  return pieces;
}

/** One IPv4 fragment: `offset` in bytes (a multiple of 8). */
export function ipv4Fragment(spec: Ipv4Spec, piece: Piece): Uint8Array {
  return ipv4Packet({ ...spec, fragmentOffset: piece.offset / 8, moreFragments: piece.more }, piece.bytes);
}

/** One IPv6 fragment with identification `id`; the fragment header is the only extension header. */
export function ipv6Fragment(spec: Ipv6Spec, id: number, piece: Piece): Uint8Array {
  const packet = ipv6Packet({ ...spec, extensions: [{ kind: 'fragment', offset: piece.offset / 8, more: piece.more }] }, piece.bytes);
  new DataView(packet.buffer, packet.byteOffset).setUint32(44, id >>> 0);
  return packet;
}

export function ipv4Fragments(spec: Ipv4Spec, payload: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  return split(payload, sizes).map((piece) => ipv4Fragment(spec, piece));
}

export function ipv6Fragments(spec: Ipv6Spec, id: number, payload: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  return split(payload, sizes).map((piece) => ipv6Fragment(spec, id, piece));
}
