/**
 * What a window clock drives (the detector, or any analyzer): frames are counted in the window at hand,
 * and the clock alone says when a window closes. Times are microseconds since the epoch.
 */
export interface WindowTarget {
  /**
   * Counts one frame in the current window; `data[offset, offset + length)` is valid only during the call.
   * `seconds` is the frame's capture time in whole seconds (state that ages, such as IP fragments, needs it).
   */
  addFrame(data: Uint8Array, offset: number, length: number, linkType: number, seconds?: number): void;
  /** Ends the window [startMicros, endMicros): report it, then start empty. */
  closeWindow(startMicros: number, endMicros: number, partial: boolean): void;
}
