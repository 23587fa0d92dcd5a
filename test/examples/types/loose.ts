/**
 * T with its string and numeric enums widened to string and number. A JSON import types every string as
 * `string`, which no string enum (ThresholdsMode, VariableType, ...) accepts; the structure, the required
 * fields and every field's kind are still checked.
 */
export type Loose<T> = T extends string
  ? string
  : T extends number
    ? number
    : T extends boolean
      ? boolean
      : T extends ReadonlyArray<infer U>
        ? Loose<U>[]
        : T extends object
          ? { [K in keyof T]: Loose<T[K]> }
          : T;
