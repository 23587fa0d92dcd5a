/** Where progress goes: stderr, or a stand-in in tests. */
export interface ProgressOutput {
  write(text: string): unknown;
}

/** Redraws at most this often, so a fast replay does not spend its time on the terminal. */
const REDRAW_MS = 250;

/**
 * One self-overwriting stderr line while a capture file is read: frames, percent of file bytes and rate.
 * Callers update it once per chunk read; it redraws at most four times a second and clears itself at the end.
 */
export class CaptureProgress {
  private readonly totalBytes: number;
  private readonly output: ProgressOutput;
  private readonly now: () => number;
  private readonly started: number;
  private lastDraw: number;
  private drawnWidth = 0;
  /** Frames and bytes of the files already read, when one line covers a set of rotated captures. */
  private framesBefore = 0;
  private bytesBefore = 0;

  /** `totalBytes` 0 means unknown (a pipe): the percentage is left out. */
  constructor(totalBytes: number, output: ProgressOutput = process.stderr, now: () => number = () => performance.now()) {
    this.totalBytes = totalBytes;
    this.output = output;
    this.now = now;
    this.started = now();
    this.lastDraw = this.started; // first line after REDRAW_MS: short replays print nothing
  }

  /** The next file of a set starts: later updates count from these totals of the files before it. */
  startFile(framesBefore: number, bytesBefore: number): void {
    this.framesBefore = framesBefore;
    this.bytesBefore = bytesBefore;
  }

  /** Reports `frames` delivered after `bytesDone` bytes of the file (of the current file, in a set). */
  update(fileFrames: number, fileBytesDone: number): void {
    const t = this.now();
    if (t - this.lastDraw < REDRAW_MS) return;
    const frames = this.framesBefore + fileFrames;
    const bytesDone = this.bytesBefore + fileBytesDone;
    this.lastDraw = t;
    const seconds = (t - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(frames / seconds) : 0;
    const percent = this.totalBytes > 0 ? `  ${Math.min(100, (100 * bytesDone) / this.totalBytes).toFixed(1)}%` : '';
    const line = `${frames.toLocaleString('en-US')} frames${percent}  ${rate.toLocaleString('en-US')} frames/s`;
    // Pad over the previous line: a shorter one would leave its tail on screen.
    this.output.write('\r' + line.padEnd(this.drawnWidth));
    this.drawnWidth = Math.max(this.drawnWidth, line.length);
  }

  /** Erases the line, leaving the cursor where it was before the first draw. */
  finish(): void {
    if (this.drawnWidth === 0) return;
    this.output.write('\r' + ' '.repeat(this.drawnWidth) + '\r');
    this.drawnWidth = 0;
  }
}
