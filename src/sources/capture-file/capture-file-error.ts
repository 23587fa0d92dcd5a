/** Why a capture file could not be read at all; the message is one line the CLI can print as is. */
export type CaptureFileErrorCode = 'not-found' | 'unreadable' | 'not-a-capture';

/** Raised before any frame is delivered: missing, unreadable, or not a pcap/pcapng file. */
export class CaptureFileError extends Error {
  readonly code: CaptureFileErrorCode;
  /** The input is the user's to fix. */
  readonly exitCode = 2;

  constructor(code: CaptureFileErrorCode, message: string) {
    super(message);
    this.name = 'CaptureFileError';
    this.code = code;
  }
}
