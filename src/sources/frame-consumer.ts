/**
 * Where sources deliver frames. `data[offset, offset + length)` is the captured frame; it is only
 * valid during the call (sources reuse their buffers), so consumers decode synchronously.
 */
export interface FrameConsumer {
  onFrame(data: Uint8Array, offset: number, length: number, linkType: number, timeMicros: number): void;
}
