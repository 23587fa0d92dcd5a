/** First occurrence and count of one kind of damage. */
interface ProblemKind {
  count: number;
  offset: number;
  detail: string;
}

/**
 * Tallies damaged or skipped records by kind. Hostile files can hold millions of bad records, so each kind
 * is reported once, at the end, with its first position and its count, never once per record.
 */
export class CaptureFileProblems {
  /** Damaged or skipped records and blocks, all kinds together. */
  total = 0;
  /** The kind of damage that stopped reading before the end of the input, if any did. */
  stoppedBy: string | null = null;
  private readonly kinds = new Map<string, ProblemKind>();

  /** Counts one problem of `kind` at byte `offset` of the (uncompressed) capture stream. */
  add(kind: string, offset: number, detail = ''): void {
    this.total++;
    const known = this.kinds.get(kind);
    if (known) known.count++;
    else this.kinds.set(kind, { count: 1, offset, detail });
  }

  /** Counts damage after which nothing more can be read; the first such kind is the replay's stop reason. */
  stop(kind: string, offset: number, detail: string): void {
    this.add(kind, offset, detail === '' ? 'reading stopped there' : `${detail}; reading stopped there`);
    this.stoppedBy ??= kind;
  }

  /** Counts an input that ends inside a record: it was read to its end, but its end came too early. */
  cutShort(kind: string, offset: number, detail: string): void {
    this.add(kind, offset, detail);
    this.stoppedBy ??= kind;
  }

  /** How many problems of `kind` were counted. */
  count(kind: string): number {
    return this.kinds.get(kind)?.count ?? 0;
  }

  /** Each kind with its count and its one message, for callers that tally several files (rotated captures). */
  entries(): ProblemEntry[] {
    return [...this.kinds].map(([kind, k]) => ({ kind, count: k.count, message: messageOf(kind, k) }));
  }

  /** One message per kind, e.g. `absurd record length at byte 24 (4294967295 bytes claimed); reading stopped there`. */
  messages(): string[] {
    return [...this.kinds].map(([kind, k]) => messageOf(kind, k));
  }
}

/** One kind of damage in one file: how often, and the message that says where it first was. */
export interface ProblemEntry {
  kind: string;
  count: number;
  message: string;
}

function messageOf(kind: string, k: ProblemKind): string {
  const detail = k.detail === '' ? '' : ` (${k.detail})`;
  const times = k.count > 1 ? `; ${k.count} in all` : '';
  return `${kind} at byte ${k.offset}${detail}${times}`;
}
