import type { FrameConsumer } from '../../packets/frame-consumer.js';
import { loadPcap, META_WORDS, type PcapHandle, type PcapStats } from './pcap-addon.js';

/** Frames per batch at most: one JS call per wake-up delivers up to this many. */
const BATCH_FRAMES = 1024;
/** The batch buffer holds a full batch at the default snaplen, and never less than this. */
const MIN_BATCH_BYTES = 256 * 1024;
/** Nor more than this, however large the snaplen (a batch is then shorter). */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/** Counters every handle of one capture adds to (a reopened capture keeps counting). */
export interface FrameCounters {
  frames: number;
  bytes: number;
  /** Frames cut by the snapshot length: normal (headers are all Peng reads), counted for -verbose. */
  truncated: number;
  consumerErrors: number;
  firstConsumerError?: string;
}

export interface HandleOptions {
  interfaceName: string;
  snaplen: number;
  bufferSize: number;
  timeoutMs: number;
  /** Chooses the kernel filter once the link type is known. */
  filterFor: (linkType: number) => string;
  consumer: FrameConsumer;
  counters: FrameCounters;
  /** A read error (the interface disappeared); the handle has stopped polling. */
  onError: (message: string) => void;
}

/** One open libpcap handle delivering batches to the consumer, with its own pcap_stats baseline. */
export interface OpenHandle {
  readonly handle: PcapHandle;
  readonly linkType: number;
  readonly filter: string;
  stats(): PcapStats;
}

/**
 * Opens the device without a filter, learns its link type, then sets the filter that fits it (libpcap
 * filters the ring's earlier packets in userland, so none slips through), and starts batch delivery.
 * Throws the addon's error (with its code) when libpcap refuses.
 */
export function openHandle(o: HandleOptions): OpenHandle {
  const handle = loadPcap().open(o.interfaceName, o.snaplen, o.bufferSize, o.timeoutMs, null);
  let filter: string;
  try {
    filter = o.filterFor(handle.linkType);
    handle.setFilter(filter);
  } catch (error) {
    handle.close();
    throw error;
  }
  const linkType = handle.linkType;
  const frames = Buffer.allocUnsafeSlow(Math.min(MAX_BATCH_BYTES, Math.max(MIN_BATCH_BYTES, BATCH_FRAMES * handle.snaplen)));
  const meta = new Uint32Array(BATCH_FRAMES * META_WORDS);
  const { consumer, counters } = o;
  const onBatch = (count: number): void => {
    let offset = 0;
    for (let i = 0, m = 0; i < count; i++, m += META_WORDS) {
      const caplen = meta[m]!;
      counters.frames++;
      counters.bytes += meta[m + 1]!;
      if (caplen < meta[m + 1]!) counters.truncated++;
      try {
        consumer.onFrame(frames, offset, caplen, linkType, meta[m + 2]!, meta[m + 3]!);
      } catch (error) {
        // A throw would end the batch and reach the addon as an uncaught exception: count it, go on.
        if (counters.consumerErrors++ === 0) counters.firstConsumerError = error instanceof Error ? error.message : String(error);
      }
      offset += caplen;
    }
  };
  handle.start(frames, meta, onBatch, (message) => o.onError(message));
  return { handle, linkType, filter, stats: () => handle.stats() };
}
