/** Small ICMP builders the shared frame builders lack (tests of src/packets only). */

/** An ICMP (type 8) or ICMPv6 (type 128) echo request with 8 payload bytes; the v4 checksum is correct. */
export function icmpEcho(v6: boolean, type = v6 ? 128 : 8): Uint8Array {
  const out = Uint8Array.from([type, 0, 0, 0, 0x12, 0x34, 0x00, 0x01, 1, 2, 3, 4, 5, 6, 7, 8]);
  if (!v6) {
    let sum = 0;
    for (let i = 0; i < out.length; i += 2) sum += (out[i]! << 8) | out[i + 1]!;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    const checksum = ~sum & 0xffff;
    out[2] = checksum >> 8;
    out[3] = checksum & 0xff;
  }
  return out;
}
