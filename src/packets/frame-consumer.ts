/**
 * Where sources deliver frames. `data[offset, offset + length)` is the captured frame; it is only
 * valid during the call (sources reuse their buffers), so consumers decode synchronously.
 *
 * The capture time comes as two small integers, whole seconds since the epoch and nanoseconds within
 * the second: a single double would be boxed on every call that is not inlined (one heap allocation
 * per frame, measured as a tenth of replay time), while both integers fit V8's small-integer range.
 */
export interface FrameConsumer {
  onFrame(data: Uint8Array, offset: number, length: number, linkType: number, seconds: number, nanoseconds: number): void;
}

/** Microseconds since the epoch, as the detector's clocks count. */
export function frameTimeMicros(seconds: number, nanoseconds: number): number {
  return seconds * 1e6 + nanoseconds / 1000;
}
