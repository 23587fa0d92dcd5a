import { LinkType } from '../../packets/syn-record.js';
import { DEFAULT_PROBE_SETS, type ProbeSetName } from '../../packets/probe-set.js';
import { probeFilterFor } from './bpf-filter.js';
import { openHandle, type FrameCounters, type OpenHandle } from './capture-handle.js';
import type { FrameConsumer } from '../../packets/frame-consumer.js';
import { ANY_INTERFACE, captureInterfaceNames, interfaceIndex, interfaceNameOfIndex, interfaceNotFoundMessage, listInterfaces } from '../host/interfaces.js';

/** Default kernel ring: TPACKET_V3 blocks filled to the snaplen (measured in BENCHMARKS.md, live section). */
export const DEFAULT_BUFFER_SIZE = 4 * 1024 * 1024;
/** Every header Peng reads (tunnels, IPv6 extension chains, TCP options) fits; the decoder treats a cut as normal. */
export const DEFAULT_SNAPLEN = 256;
/** How long the kernel holds a block that is not full: the most a frame waits before Peng sees it. */
export const BUFFER_TIMEOUT_MS = 100;

export interface LiveCaptureOptions {
  interfaceName: string;
  /** Kernel capture buffer in bytes (libpcap's buffer size; the OS may cap it silently). */
  bufferSize?: number;
  /** Bytes kept of each frame. */
  snaplen?: number;
  /** Probe kinds the kernel filter passes (`-probes`); default DEFAULT_PROBE_SETS. */
  probeSets?: readonly ProbeSetName[];
  /** BPF expression; defaults to the probe filter for the interface's link type and `probeSets` (see bpf-filter.ts). */
  filter?: string;
  /** Receives each frame synchronously, with its kernel timestamp; the bytes are overwritten by the next batch. */
  consumer: FrameConsumer;
  /** Told when the interface is lost, cannot be reopened, or is captured again. */
  onEvent?: (level: 'warn' | 'info', message: string) => void;
}

export interface LiveCaptureStats extends FrameCounters {
  /** Frames the kernel ring dropped (pcap_stats ps_drop), plus any too large for the batch buffer, over the whole run. */
  dropped: number;
  /** Frames the interface itself dropped (ps_ifdrop: every protocol, not just what the filter passes). */
  interfaceDropped: number;
  /** Times the interface disappeared from under the capture. */
  interruptions: number;
  /** Milliseconds without a capture because of that. */
  interruptedMs: number;
}

export interface LiveCapture {
  readonly interfaceName: string;
  /** libpcap LINKTYPE_* number, as the decoder expects (of the handle open now). */
  readonly linkType: number;
  /** The filter compiled into the kernel. */
  readonly filter: string;
  stats(): LiveCaptureStats;
  /**
   * Once per window, as it closes: whether the capture missed part of it (the interface was lost); then
   * reopens a lost capture when an interface of that name exists again.
   */
  windowInterrupted(): boolean;
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

/** Link types the decoder understands; libpcap's DLT numbers equal them for all of these on Linux. */
const DECODABLE = new Set<number>(Object.values(LinkType));

/**
 * Opens a live capture on one interface: a kernel filter lets only probes through, frames arrive in
 * batches with their kernel timestamps and go to `consumer` synchronously. When the interface disappears
 * the capture says so, keeps the process running and reopens on a later window. Throws a
 * `LiveCaptureError` with a message a user can act on when the first open fails.
 */
export function openLiveCapture(options: LiveCaptureOptions): LiveCapture {
  const { interfaceName } = options;
  const bufferSize = options.bufferSize ?? DEFAULT_BUFFER_SIZE;
  const snaplen = options.snaplen ?? DEFAULT_SNAPLEN;
  if (!Number.isInteger(bufferSize) || bufferSize < 1 || bufferSize > 0x7fffffff) {
    throw new LiveCaptureError('invalid-option', `invalid buffer size ${bufferSize}: must be a whole number of bytes from 1 to 2147483647`);
  }
  if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > 262144) {
    throw new LiveCaptureError('invalid-option', `invalid snaplen ${snaplen}: must be a whole number of bytes from 1 to 262144`);
  }
  checkInterfaceExists(interfaceName);
  const say = options.onEvent ?? (() => {});
  const counters: FrameCounters = { frames: 0, bytes: 0, truncated: 0, consumerErrors: 0 };
  const drops = { dropped: 0, interfaceDropped: 0, interruptions: 0, interruptedMs: 0 };
  let current: OpenHandle | null = null;
  let last = { dropped: 0, ifDropped: 0, oversized: 0 };
  let index: number | null = null;
  let lostAt = 0;
  let interrupted = false;
  let closed = false;
  let lastFailure = '';

  const open = (): OpenHandle => {
    const opened = openHandle({
      interfaceName,
      snaplen,
      bufferSize,
      timeoutMs: BUFFER_TIMEOUT_MS,
      consumer: options.consumer,
      counters,
      filterFor: (linkType) => {
        if (!DECODABLE.has(linkType)) {
          throw new LiveCaptureError('unsupported-link-type', `interface ${interfaceName} has link type ${linkType}, which Peng cannot decode (supported: Ethernet, Linux cooked, raw IP, BSD loopback, PPP, 802.11)`);
        }
        return options.filter ?? probeFilterFor(linkType, options.probeSets ?? DEFAULT_PROBE_SETS);
      },
      onError: (message) => lose(message),
    });
    last = { dropped: 0, ifDropped: 0, oversized: 0 };
    index = interfaceIndex(interfaceName);
    return opened;
  };
  // Adds what the open handle counted since the last read; libpcap's counters are unsigned 32-bit.
  const readDrops = (): void => {
    if (current === null) return;
    try {
      const s = current.stats();
      drops.dropped += ((s.dropped - last.dropped) >>> 0) + (s.oversized - last.oversized);
      drops.interfaceDropped += (s.ifDropped - last.ifDropped) >>> 0;
      last = s;
    } catch {
      // pcap_stats fails only on a dead handle; the error path closes it.
    }
  };
  const lose = (message: string): void => {
    if (current === null) return;
    readDrops();
    current.handle.close();
    current = null;
    interrupted = true;
    lostAt = Date.now();
    drops.interruptions++;
    say('warn', `${interfaceName}: capture lost (${message}); this window is partial, Peng will reopen ${interfaceName} when it is back`);
  };

  try {
    current = open();
  } catch (error) {
    throw error instanceof LiveCaptureError ? error : captureError(interfaceName, options.filter ?? '(probe filter)', error);
  }
  const first = current;

  return {
    interfaceName,
    get linkType() {
      return (current ?? first).linkType;
    },
    get filter() {
      return (current ?? first).filter;
    },
    stats: () => {
      readDrops();
      return { ...counters, ...drops, interruptedMs: drops.interruptedMs + (current === null && !closed ? Date.now() - lostAt : 0) };
    },
    windowInterrupted: () => {
      if (closed) return false;
      // libpcap may miss a deletion (it saw the interface go down, still present): check the index too.
      if (current !== null && index !== null && interfaceNameOfIndex(index) === null) lose('the interface disappeared');
      const result = interrupted;
      if (current === null && interfaceIndex(interfaceName) !== null) {
        try {
          current = open();
          drops.interruptedMs += Date.now() - lostAt;
          lastFailure = '';
          say('info', `${interfaceName}: capturing again after ${((Date.now() - lostAt) / 1000).toFixed(1)} s without a capture`);
        } catch (error) {
          const message = captureError(interfaceName, options.filter ?? '(probe filter)', error).message;
          if (message !== lastFailure) say('warn', `${interfaceName} is back but cannot be captured: ${message}; trying again every window`);
          lastFailure = message;
        }
      }
      interrupted = current === null;
      return result;
    },
    close: () => {
      if (closed) return;
      readDrops();
      if (current === null) drops.interruptedMs += Date.now() - lostAt;
      closed = true;
      current?.handle.close();
      current = null;
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
  if (interfaceName !== ANY_INTERFACE && !captureInterfaceNames(interfaces).includes(interfaceName)) {
    throw new LiveCaptureError('interface-not-found', interfaceNotFoundMessage(interfaceName, interfaces));
  }
}

/** Maps the addon's error (its code, libpcap's message) to an error that says what to do. */
export function captureError(interfaceName: string, filter: string, error: unknown): LiveCaptureError {
  if (error instanceof LiveCaptureError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EPERM' || /permission|not permitted|EPERM|EACCES/i.test(message)) {
    return new LiveCaptureError(
      'permission-denied',
      `no permission to capture on ${interfaceName} (${message}): run as root (Peng drops to -user once the capture is open), ` +
        `or grant CAP_NET_RAW and CAP_NET_ADMIN with AmbientCapabilities, as examples/systemd/peng.service does`,
    );
  }
  if (code === 'ENODEV' || /no such device|doesn't exist|does not exist/i.test(message)) {
    return new LiveCaptureError('interface-not-found', interfaceNotFoundMessage(interfaceName));
  }
  if (code === 'EFILTER' || /filter|syntax error|parse|VLAN support|illegal|expression/i.test(message)) return new LiveCaptureError('invalid-filter', `invalid capture filter "${filter}" on ${interfaceName}: ${message}`);
  if (code === 'ENETDOWN') return new LiveCaptureError('open-failed', `cannot capture on ${interfaceName}: the interface is down (${message})`);
  return new LiveCaptureError('open-failed', `cannot capture on ${interfaceName}: ${message}`);
}
