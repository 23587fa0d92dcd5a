import type { FormatValue } from './formats.js';
import type { OptionDefinitions } from './schema.js';

/**
 * The options a user sets by flag, environment or file, each typed by its format in the schema
 * (`timeFrame: number` in milliseconds, `network: string[]`, ...). See schema.ts for what each means.
 */
export type OptionValues = {
  -readonly [K in keyof OptionDefinitions]: FormatValue<OptionDefinitions[K]['format']>;
};

/** Every setting of a Peng run, validated. Produced by `loadConfig`. */
export interface PengConfig extends OptionValues {
  /** `peng replay FILE` or `peng [flags]` (live). */
  command: 'live' | 'replay';
  /** Every path of `peng replay FILE...` (files or directories of rotated captures); empty in live mode. */
  replayFiles: string[];
}
