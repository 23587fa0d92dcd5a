/**
 * What a window clock drives (the detector, or any analyzer): frames are counted in the window at hand,
 * and the clock alone says when a window closes. Times are microseconds since the epoch.
 */
export interface WindowTarget {
  /**
   * Counts one frame in the current window; `data[offset, offset + length)` is valid only during the call.
   * `seconds` is the frame's capture time in whole seconds since the epoch (a small integer: no boxing); the
   * probe hook's times and state that ages, such as IP fragments, need it.
   */
  addFrame(data: Uint8Array, offset: number, length: number, linkType: number, seconds: number): void;
  /**
   * Ends the window [startMicros, endMicros): report it, then start empty. `gapWindows` > 0 says the range
   * spans that many windows in which nothing was seen, reported as one record (sparse captures).
   */
  closeWindow(startMicros: number, endMicros: number, partial: boolean, gapWindows?: number): void;
}
