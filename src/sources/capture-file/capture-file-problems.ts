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

  /** One message per kind, e.g. `absurd record length at byte 24 (4294967295 bytes claimed); reading stopped there`. */
  messages(): string[] {
    const out: string[] = [];
    for (const [kind, k] of this.kinds) {
      const detail = k.detail === '' ? '' : ` (${k.detail})`;
      const times = k.count > 1 ? `; ${k.count} in all` : '';
      out.push(`${kind} at byte ${k.offset}${detail}${times}`);
    }
    return out;
  }
}
