import { decodeEtherType } from './decode-frame.js';
import { MalformedReason, type ProbeRecord } from './probe-record.js';

/**
 * 802.11 captures: radiotap (LINKTYPE_IEEE802_11_RADIOTAP, 127) and bare 802.11 (LINKTYPE_IEEE802_11, 105).
 * Only unprotected data frames carry a readable packet; everything else is 0. Same return convention as decodeFrame.
 */

const RADIOTAP_MIN_HEADER = 8;
const WLAN_HEADER = 24;
const WLAN_ADDRESS_4 = 6;
const WLAN_QOS_CONTROL = 2;
const WLAN_HT_CONTROL = 4;
const WLAN_TYPE_DATA = 2;
const WLAN_SUBTYPE_QOS = 0x08;
const WLAN_SUBTYPE_NO_BODY = 0x04; // null function and CF-only subtypes carry no payload
const WLAN_TO_DS = 0x01;
const WLAN_FROM_DS = 0x02;
const WLAN_PROTECTED = 0x40;
const WLAN_ORDER = 0x80;
const QOS_AMSDU_PRESENT = 0x80;
const LLC_SNAP_HEADER = 8;

/** Radiotap: version 0, a pad byte, then its own length (little-endian, whatever the host) before the 802.11 frame. */
export function decodeRadiotap(data: Uint8Array, p: number, end: number, out: ProbeRecord): number {
  if (p + RADIOTAP_MIN_HEADER > end) return -MalformedReason.Truncated;
  if (data[p] !== 0) return -MalformedReason.BadHeader;
  const length = data[p + 2] | (data[p + 3] << 8);
  if (length < RADIOTAP_MIN_HEADER) return -MalformedReason.BadHeader;
  return decodeWlan(data, p + length, end, out);
}

/** An 802.11 data frame: header (24 bytes, 30 with four addresses, + QoS, + HT control), then LLC/SNAP and an EtherType. */
export function decodeWlan(data: Uint8Array, p: number, end: number, out: ProbeRecord): number {
  if (p + WLAN_HEADER > end) return -MalformedReason.Truncated;
  const control = data[p];
  const flags = data[p + 1];
  if ((control & 0x03) !== 0) return -MalformedReason.BadHeader; // protocol version 0 is the only one
  if (((control >> 2) & 0x03) !== WLAN_TYPE_DATA) return 0; // management and control frames
  const subtype = control >> 4;
  if ((subtype & WLAN_SUBTYPE_NO_BODY) !== 0 || (flags & WLAN_PROTECTED) !== 0) return 0;
  let q = p + WLAN_HEADER;
  if ((flags & (WLAN_TO_DS | WLAN_FROM_DS)) === (WLAN_TO_DS | WLAN_FROM_DS)) q += WLAN_ADDRESS_4;
  if ((subtype & WLAN_SUBTYPE_QOS) !== 0) {
    if (q + WLAN_QOS_CONTROL > end) return -MalformedReason.Truncated;
    if ((data[q] & QOS_AMSDU_PRESENT) !== 0) return 0; // aggregated subframes, not one packet
    q += WLAN_QOS_CONTROL;
    if ((flags & WLAN_ORDER) !== 0) q += WLAN_HT_CONTROL;
  }
  if (q + LLC_SNAP_HEADER > end) return -MalformedReason.Truncated;
  // LLC/SNAP with an EtherType (RFC 1042); other LLC payloads are not IP.
  if (data[q] !== 0xaa || data[q + 1] !== 0xaa || data[q + 2] !== 0x03 || data[q + 3] !== 0 || data[q + 4] !== 0 || data[q + 5] !== 0) return 0;
  return decodeEtherType(data, (data[q + 6] << 8) | data[q + 7], q + LLC_SNAP_HEADER, end, 0, out);
}
