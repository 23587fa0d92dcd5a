import { frameTimeMicros, type FrameConsumer } from '../../src/packets/frame-consumer.js';
import type { ExpectedFrame } from '../../support/capture-writers.js';

/** Keeps a copy of every delivered frame (readers reuse their buffers). */
export class FrameCollector implements FrameConsumer {
  readonly frames: Array<Omit<ExpectedFrame, 'start' | 'end'>> = [];

  onFrame(data: Uint8Array, offset: number, length: number, linkType: number, seconds: number, nanoseconds: number): void {
    this.frames.push({ bytes: new Uint8Array(data.subarray(offset, offset + length)), linkType, timeMicros: frameTimeMicros(seconds, nanoseconds) });
  }
}
