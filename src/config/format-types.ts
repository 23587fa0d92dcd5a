/** The shape every option format shares; formats.ts holds the formats themselves. */

/** A value that does not fit its format: `problem` says what is wrong, `hint` what to write instead. */
export class FormatProblem extends Error {
  constructor(
    readonly problem: string,
    readonly hint: string,
  ) {
    super(`${problem}; ${hint}`);
  }
}

/** The limits a schema entry may give its format (convict passes the schema entry to `validate`). */
export interface FormatLimits {
  readonly min?: number;
  readonly max?: number;
}

/** One value format: how text from flags, env and files becomes a value of type T, and what a valid value is. */
export interface ValueFormat<T> {
  /** Type name shown in plugin.yaml and the README. */
  readonly type: string;
  /** Placeholder after the flag in --help (`-bin N`); '' for booleans, which take no value. */
  readonly placeholder: string;
  /** Text to value; returns the text unchanged when it does not parse, so `validate` names the problem. */
  coerce(text: string): unknown;
  /** Returns the value, typed (PengConfig's field types come from here), or throws a FormatProblem. */
  validate(value: unknown, limits: FormatLimits): T;
}
