import { createReadStream } from 'node:fs';
import { CaptureFileError } from './capture-file-error.js';
import { STREAM_CHUNK_SIZE } from './capture-input.js';
import { GzipDecoder } from './gzip-decoder.js';
import { forEachChunk, type ReadRun } from './read-run.js';

/**
 * Inflates a gzip capture into the reader (loaded only for compressed captures: zlib costs start-up time
 * every plain replay would pay). Every byte inflated before damage reaches the reader; damage that ends
 * inflating stops reading, a bad checksum or trailing garbage is counted and reading goes on as gzip does.
 */
export async function readCompressed(run: ReadRun, head: Buffer): Promise<void> {
  const { input, reader, problems, path } = run;
  let refusal: CaptureFileError | null = null;
  const decoder = new GzipDecoder(
    (chunk) => {
      reader.append(chunk);
      if (reader.stopped) decoder.stop();
    },
    (kind, detail, stops) => {
      if (stops && reader.format === null) {
        // Nothing readable came out: not a capture we can read, said before any frame.
        refusal = new CaptureFileError('not-a-capture', `capture file ${path} is gzip-compressed but cannot be inflated (${kind}: ${detail})`);
      } else if (stops) {
        problems.stop(kind, reader.position, detail);
      } else {
        problems.add(kind, reader.position, detail);
      }
    },
  );
  const throwRefusal = (): void => {
    if (refusal !== null) throw refusal;
  };
  await decoder.write(head);
  throwRefusal();
  let stream = input.kind === 'stream' ? input.stream : null;
  if (stream === null && input.kind === 'file') {
    // The stream owns the descriptor from here and closes it however reading ends.
    stream = createReadStream('', { fd: input.fd, highWaterMark: STREAM_CHUNK_SIZE });
    run.closed = true;
  }
  try {
    let compressedBytes = head.length;
    await forEachChunk(run, stream!, async (chunk) => {
      await decoder.write(chunk);
      throwRefusal();
      compressedBytes += chunk.length;
      run.progress?.update(reader.frames, compressedBytes);
      if (decoder.finished) reader.stopped = true;
    });
    if (!reader.stopped && !run.interrupted) await decoder.end();
    throwRefusal();
    // A cut gzip stream is said once, as such, not again as the record it cut.
    if (problems.stoppedBy !== null) reader.stopped = true;
  } finally {
    decoder.stop();
    if (input.kind === 'file') stream!.destroy();
  }
}
