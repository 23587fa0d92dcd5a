/**
 * A capture format's record parser. It is fed a window of the file and delivers every complete record in
 * it; the reader keeps the incomplete tail and calls again with more bytes.
 */
export interface RecordParser {
  /**
   * Delivers every complete record of `buf[start, end)` and returns the offset of the first byte not
   * consumed; a value beyond `end` asks the reader to discard bytes up to there unread.
   * `base` is the stream offset of `buf[0]`, for problem messages.
   */
  parse(buf: Uint8Array, view: DataView, start: number, end: number, base: number): number;
  /** Total size of the incomplete record at the returned offset (the reader grows its buffer to hold it). */
  readonly needed: number;
  /** Set once damage makes the rest of the file unreadable. */
  readonly stopped: boolean;
  /** Frames delivered so far. */
  readonly frames: number;
  /** Captured bytes delivered so far. */
  readonly bytes: number;
}

/** libpcap's largest snapshot length (MAXIMUM_SNAPLEN): a record claiming more is damage, not data. */
export const MAX_FRAME_LENGTH = 262_144;

/** Largest record kept whole in memory: a maximal frame plus room for pcapng block fields and options. */
export const MAX_RECORD_LENGTH = MAX_FRAME_LENGTH + 65_536;

/** A 32-bit magic or block type as users see it in a hex dump: `0x0a0d0d0a`. */
export function hex32(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}
