import { DEFAULT_PROBE_SETS, type ProbeSetName } from '../../packets/probe-set.js';
import { LinkType } from '../../packets/syn-record.js';
import { MATCH_NOTHING_FILTER, probeFilterFor } from './bpf-filter.js';
import { openCapHandle, type CapHandle } from './cap-binding.js';
import type { FrameConsumer } from '../../packets/frame-consumer.js';
import { captureInterfaceNames, interfaceNotFoundMessage, listInterfaces } from '../host/interfaces.js';

/** Default kernel ring size: about 1000 packets under cap's immediate mode (ARCHITECTURE.md, Live capture). */
export const DEFAULT_BUFFER_SIZE = 64 * 1024 * 1024;

/** cap hard-codes snaplen 65535; one buffer that size holds any frame without truncation. */
const FRAME_BUFFER_SIZE = 65536;

export interface LiveCaptureOptions {
  interfaceName: string;
  /** Kernel capture buffer in bytes (libpcap's buffer size; the OS may cap it silently). */
  bufferSize?: number;
  /** Probe kinds the kernel filter passes (`-probes`); default DEFAULT_PROBE_SETS. */
  probeSets?: readonly ProbeSetName[];
  /** BPF expression; defaults to the probe filter for the interface's link type and `probeSets` (see bpf-filter.ts). */
  filter?: string;
  /** Receives each frame synchronously; the bytes are overwritten by the next frame. */
  consumer: FrameConsumer;
  /** Wall clock in milliseconds used to stamp frames on arrival (cap gives no timestamp). */
  now?: () => number;
}

export interface LiveCaptureStats {
  /** Frames delivered to JavaScript (after the kernel filter). */
  frames: number;
  bytes: number;
  /** Frames longer than the frame buffer (cannot happen with cap's 65535 snaplen; counted anyway). */
  truncated: number;
  /** Frames on which the consumer threw: a bug, counted so one bad frame cannot stop the capture. */
  consumerErrors: number;
  /** The first consumer error's message, if any. */
  firstConsumerError?: string;
  /** Always undefined: cap 0.2.1 exposes no pcap_stats, so kernel ring drops are invisible. */
  dropped: undefined;
}

export interface LiveCapture {
  readonly interfaceName: string;
  /** libpcap LINKTYPE_* number, as the decoder expects. */
  readonly linkType: number;
  /** The filter compiled into the kernel. */
  readonly filter: string;
  stats(): LiveCaptureStats;
  /** Stops the capture; idempotent, and safe from inside the consumer. */
  close(): void;
}

export type LiveCaptureErrorCode = 'interface-not-found' | 'permission-denied' | 'unsupported-link-type' | 'invalid-filter' | 'invalid-option' | 'open-failed';

/** Why a capture could not start. Every code is a usage/configuration problem (exit 2) except `open-failed`. */
export class LiveCaptureError extends Error {
  override readonly name = 'LiveCaptureError';
  readonly code: LiveCaptureErrorCode;
  readonly exitCode: 1 | 2;
  constructor(code: LiveCaptureErrorCode, message: string) {
    super(message);
    this.code = code;
    this.exitCode = code === 'open-failed' ? 1 : 2;
  }
}

/** Link types the decoder understands. */
const DECODABLE = new Set<number>(Object.values(LinkType));

/**
 * cap's link-type names to LINKTYPE_* numbers. cap names DLT values; `RAW` is DLT_RAW (12 on Linux,
 * 14 on OpenBSD), the same raw IP as LINKTYPE_RAW. The rest arrive as `Unknown linktype N` with N the DLT,
 * equal to the LINKTYPE for all Peng decodes: Linux cooked v2 (276), PPP (9, 50), Cisco HDLC (104), 802.11
 * (105), raw IPv4/IPv6 (228, 229), NFLOG (239).
 */
export function linkTypeFromCap(name: string): number {
  switch (name) {
    case 'ETHERNET':
      return LinkType.Ethernet;
    case 'LINKTYPE_LINUX_SLL':
      return LinkType.LinuxSll;
    case 'RAW':
      return LinkType.Raw;
    case 'NULL':
      return LinkType.Null;
    case 'IEEE802_11_RADIO':
      return LinkType.Radiotap;
  }
  const match = /^Unknown linktype (\d+)$/.exec(name);
  return match ? Number(match[1]) : -1;
}

/**
 * Opens a live capture on one interface: a kernel filter lets only the enabled probe kinds through, each frame is copied into one reused buffer and handed to `consumer` synchronously, stamped
 * on arrival. Throws a `LiveCaptureError` with a message a user can act on.
 */
export function openLiveCapture(options: LiveCaptureOptions): LiveCapture {
  const { interfaceName, consumer } = options;
  const bufferSize = options.bufferSize ?? DEFAULT_BUFFER_SIZE;
  const now = options.now ?? Date.now;
  if (!Number.isInteger(bufferSize) || bufferSize < 1 || bufferSize > 0x7fffffff) {
    throw new LiveCaptureError('invalid-option', `invalid buffer size ${bufferSize}: must be a whole number of bytes from 1 to 2147483647`);
  }
  checkInterfaceExists(interfaceName);

  const buffer = Buffer.alloc(FRAME_BUFFER_SIZE);
  // A throwaway open learns the link type, so the real filter can fit it (`vlan` fails on cooked links).
  const probe = open(interfaceName, MATCH_NOTHING_FILTER, 65536, buffer);
  probe.handle.close();
  const linkType = linkTypeFromCap(probe.linkTypeName);
  if (!DECODABLE.has(linkType)) {
    throw new LiveCaptureError(
      'unsupported-link-type',
      `interface ${interfaceName} has link type "${probe.linkTypeName}", which Peng cannot decode (supported: Ethernet, Linux cooked, raw IP, BSD loopback)`,
    );
  }
  const filter = options.filter ?? probeFilterFor(linkType, options.probeSets ?? DEFAULT_PROBE_SETS);
  const { handle } = open(interfaceName, filter, bufferSize, buffer);

  const counters = { frames: 0, bytes: 0, truncated: 0, consumerErrors: 0 };
  let firstConsumerError: string | undefined;
  handle.on('packet', (length: number, truncated: boolean) => {
    counters.frames++;
    counters.bytes += length;
    if (truncated) counters.truncated++;
    try {
      const ms = now();
      const seconds = Math.floor(ms / 1000);
      consumer.onFrame(buffer, 0, length, linkType, seconds, Math.round((ms - seconds * 1000) * 1e6));
    } catch (error) {
      // An exception here would unwind through cap's native loop: count it and keep capturing.
      if (counters.consumerErrors++ === 0) firstConsumerError = error instanceof Error ? error.message : String(error);
    }
  });

  let closed = false;
  return {
    interfaceName,
    linkType,
    filter,
    stats: () => ({ ...counters, ...(firstConsumerError === undefined ? {} : { firstConsumerError }), dropped: undefined }),
    close: () => {
      if (closed) return;
      closed = true;
      handle.close();
      handle.removeAllListeners('packet');
    },
  };
}

function checkInterfaceExists(interfaceName: string): void {
  let interfaces;
  try {
    interfaces = listInterfaces();
  } catch {
    return; // cannot list: let libpcap's own error speak
  }
  if (!captureInterfaceNames(interfaces).includes(interfaceName)) {
    throw new LiveCaptureError('interface-not-found', interfaceNotFoundMessage(interfaceName, interfaces));
  }
}

function open(interfaceName: string, filter: string, bufferSize: number, buffer: Buffer): { handle: CapHandle; linkTypeName: string } {
  try {
    return openCapHandle(interfaceName, filter, bufferSize, buffer);
  } catch (error) {
    throw captureError(interfaceName, filter, error instanceof Error ? error.message : String(error));
  }
}

/** Maps libpcap's message to an error that says what to do. */
export function captureError(interfaceName: string, filter: string, message: string): LiveCaptureError {
  if (/permission|not permitted|EPERM|EACCES/i.test(message)) {
    return new LiveCaptureError(
      'permission-denied',
      `no permission to capture on ${interfaceName} (${message}): run as root, or allow this node binary to capture with ` +
        `"sudo setcap cap_net_raw,cap_net_admin+eip ${process.execPath}"`,
    );
  }
  if (/no such device|doesn't exist|does not exist/i.test(message)) {
    return new LiveCaptureError('interface-not-found', interfaceNotFoundMessage(interfaceName));
  }
  if (/filter|syntax error|parse|VLAN support|illegal|expression/i.test(message)) {
    return new LiveCaptureError('invalid-filter', `invalid capture filter "${filter}" on ${interfaceName}: ${message}`);
  }
  return new LiveCaptureError('open-failed', `cannot capture on ${interfaceName}: ${message}`);
}
