import { basename } from 'node:path';
import type { FrameConsumer } from '../../packets/frame-consumer.js';
import { CaptureFileError } from './capture-file-error.js';
import { readCaptureFile } from './capture-file.js';
import { byFirstFrame, closeMember, openCaptureSet, probeFirstFrame, type CaptureSetFile } from './capture-set-members.js';
import { CaptureProgress } from './progress.js';

export { naturalCompare } from './capture-set-members.js';

export interface CaptureSetSummary {
  /** The members replayed, in replay order (their first frame's time, then their name). */
  readonly order: string[];
  frames: number;
  bytes: number;
  /** Damaged or skipped records and blocks over every file. */
  problems: number;
  /** Stopped by the caller's signal. */
  interrupted: boolean;
  /** Members not read to their end (damage stopped reading, or the file header was damaged and it was skipped). */
  readonly damagedFiles: string[];
  /** The last member was cut short: the last window lacks what came after the cut. */
  lastCutShort: boolean;
}

export interface ReadCaptureSetOptions {
  /** One message per kind of damage over the whole set, said once at the end. */
  onProblem?: (message: string) => void;
  /** Directory entries that are not captures, said once before reading. */
  onSkipped?: (message: string) => void;
  progress?: boolean;
  signal?: AbortSignal;
  /** Called once every member is open, before any byte is parsed (the replay drops root there). */
  onOpen?: () => void;
}

/**
 * Replays several captures (tcpdump `-G`/`-C` rotations given as files or directories) into one consumer as
 * one stream: ordered by the time of their first frame, each read to its end in constant memory, a damaged
 * member reported and the rest still read. Explicit paths that are not captures are refused (exit 2) before
 * any frame; directory entries that are not captures are skipped with one message.
 */
export async function readCaptureSet(paths: readonly string[], consumer: FrameConsumer, options: ReadCaptureSetOptions = {}): Promise<CaptureSetSummary> {
  const { files, skipped } = openCaptureSet(paths);
  const summary: CaptureSetSummary = { order: [], frames: 0, bytes: 0, problems: 0, interrupted: false, damagedFiles: [], lastCutShort: false };
  const tally = new ProblemTally();
  let progress: CaptureProgress | null = null;
  try {
    options.onOpen?.();
    if (skipped.length > 0) options.onSkipped?.(`skipped ${skipped.length} ${skipped.length === 1 ? 'entry that is not a capture' : 'entries that are not captures'}: ${listed(skipped)}`);
    const members: CaptureSetFile[] = [];
    for (const file of files) {
      const damage = await probeFirstFrame(file, paths.includes(file.path));
      if (damage !== null) {
        closeMember(file);
        tally.add('damaged file header', 1, file.path, `${damage}; skipped whole`);
        summary.damagedFiles.push(file.path);
      } else {
        members.push(file);
      }
    }
    if (members.length === 0 && summary.damagedFiles.length === 0) {
      throw new CaptureFileError('not-a-capture', `no capture file in ${listed([...paths])}`);
    }
    members.sort(byFirstFrame);
    if ((options.progress ?? process.stderr.isTTY === true) && options.signal?.aborted !== true) {
      progress = new CaptureProgress(members.reduce((sum, m) => sum + m.input.size, 0));
    }
    let bytesBefore = 0;
    for (let i = 0; i < members.length; i++) {
      const member = members[i]!;
      if (summary.interrupted || options.signal?.aborted === true) {
        summary.interrupted = true;
        closeMember(member);
        continue;
      }
      summary.order.push(member.path);
      progress?.startFile(summary.frames, bytesBefore);
      bytesBefore += member.input.size;
      let read;
      member.closed = true; // readCaptureFile closes it
      try {
        read = await readCaptureFile(member.path, consumer, {
          input: member.input,
          progress: progress ?? false,
          onProblemKinds: (kinds) => kinds.forEach((entry) => tally.add(entry.kind, entry.count, member.path, entry.message)),
          ...(options.signal ? { signal: options.signal } : {}),
        });
      } catch (error) {
        if (!(error instanceof CaptureFileError)) throw error;
        // Unreadable after all (a read error before its header): damage in the middle of the set, skipped.
        tally.add(error.code === 'unreadable' ? 'unreadable file' : 'damaged file header', 1, member.path, error.message);
        summary.damagedFiles.push(member.path);
        summary.lastCutShort = false;
        continue;
      }
      summary.frames += read.frames;
      summary.bytes += read.bytes;
      summary.problems += read.problems;
      summary.interrupted = read.interrupted;
      if (read.stoppedEarly !== null) summary.damagedFiles.push(member.path);
      summary.lastCutShort = read.stoppedEarly !== null;
    }
  } catch (error) {
    files.forEach(closeMember);
    throw error;
  } finally {
    progress?.finish();
  }
  if (options.onProblem) for (const message of tally.messages()) options.onProblem(message);
  return summary;
}

/** Damage over a set, by kind: said once per kind with its count, its files and where it first was. */
class ProblemTally {
  private readonly kinds = new Map<string, { count: number; files: string[]; first: string }>();

  add(kind: string, count: number, path: string, message: string): void {
    const known = this.kinds.get(kind);
    if (known === undefined) this.kinds.set(kind, { count, files: [path], first: `${path}: ${message}` });
    else {
      known.count += count;
      if (!known.files.includes(path)) known.files.push(path);
    }
  }

  messages(): string[] {
    const out: string[] = [];
    for (const [kind, k] of this.kinds) {
      if (k.files.length === 1) out.push(k.first);
      else out.push(`${kind} in ${k.files.length} files (${listed(k.files.map((f) => basename(f)))}), ${k.count} in all; first: ${k.first}`);
    }
    return out;
  }
}

function listed(items: readonly string[]): string {
  return items.length <= 3 ? items.join(', ') : `${items.slice(0, 3).join(', ')} and ${items.length - 3} more`;
}
