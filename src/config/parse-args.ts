import { ConfigError, closestName, quoteValue } from './config-error.js';
import { formats } from './formats.js';
import { isOptionName, optionNames, schema, type OptionName } from './schema.js';

/** One flag as the user wrote it: its spelling (`-bin`, `--bin`) and its text (null for a bare boolean). */
export interface FlagSetting {
  readonly flag: string;
  readonly text: string | null;
}

export interface ParsedArgs {
  readonly command: 'live' | 'replay';
  /** Every path given to `peng replay` (files or directories of rotated captures), in the order given. */
  readonly replayFiles: readonly string[];
  /** The last setting of each flag; list flags (`-network a -network b`) join every occurrence with commas. */
  readonly flags: ReadonlyMap<OptionName, FlagSetting>;
}

const HELP_ALIAS = 'h';
const COMMANDS: readonly string[] = ['live', 'replay'];
const LIST_FORMATS: ReadonlySet<string> = new Set(['peng-interface-list', 'peng-address-list', 'peng-probe-list']);

/**
 * Reads `peng [flags]` and `peng replay FILE [flags]` the way Go's flag package does, with both dash
 * styles: `-bin 16`, `-bin=16`, `--bin 16`, `--bin=16`; booleans bare (`-json`) or `-json=false`.
 * `--` ends the flags. Throws a ConfigError for anything it cannot read.
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const flags = new Map<OptionName, FlagSetting>();
  const positionals: string[] = [];
  let previousBareBoolean: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    const parsed = splitFlag(arg);
    if (parsed === null) {
      if (previousBareBoolean !== null && /^(true|false)$/i.test(arg)) {
        throw new ConfigError(`unexpected argument ${quoteValue(arg)} after ${previousBareBoolean}; a boolean flag takes its value after '=': ${previousBareBoolean}=${arg.toLowerCase()}`);
      }
      positionals.push(arg);
      previousBareBoolean = null;
      continue;
    }
    const { dashes, name, inlineValue } = parsed;
    const option = name === HELP_ALIAS ? 'help' : name;
    if (!isOptionName(option)) throw unknownFlag(dashes + name);
    const flag = dashes + name;
    const isBoolean = schema[option].format === 'peng-boolean';
    let text: string | null = inlineValue;
    previousBareBoolean = null;
    if (text === null && !isBoolean) {
      const next = argv[i + 1];
      if (next === undefined) throw new ConfigError(`flag ${flag} needs a value; write ${flag} ${placeholderOf(option)} or ${flag}=${placeholderOf(option)}`);
      const nextFlag = splitFlag(next);
      if (nextFlag !== null && (isOptionName(nextFlag.name) || nextFlag.name === HELP_ALIAS)) {
        throw new ConfigError(`flag ${flag} needs a value but is followed by the flag ${quoteValue(next)}; write ${flag} ${placeholderOf(option)}`);
      }
      text = next;
      i++;
    } else if (text === null) {
      previousBareBoolean = flag;
    }
    const earlier = flags.get(option);
    if (earlier && earlier.text !== null && text !== null && LIST_FORMATS.has(schema[option].format)) {
      text = `${earlier.text},${text}`;
    }
    flags.set(option, { flag, text });
  }
  return { ...readCommand(positionals), flags };
}

/** True when the arguments ask for help or the version, which never fail on the other arguments. */
export function asksForHelpOrVersion(argv: readonly string[]): { help: boolean; version: boolean } {
  const asked = { help: false, version: false };
  for (const arg of argv) {
    if (arg === '--') break;
    const parsed = splitFlag(arg);
    if (parsed === null) continue;
    const on = parsed.inlineValue === null || /^(true|t|1|yes|on)$/i.test(parsed.inlineValue);
    if ((parsed.name === 'help' || parsed.name === HELP_ALIAS) && on) asked.help = true;
    if (parsed.name === 'version' && on) asked.version = true;
  }
  return asked;
}

/**
 * Reads the positional arguments: nothing or `live` (live capture), or `replay FILE...` (one capture, or
 * several files and directories of rotated captures replayed as one stream).
 */
export function readCommand(positionals: readonly string[]): Pick<ParsedArgs, 'command' | 'replayFiles'> {
  const [first, ...rest] = positionals;
  if (first === undefined) return { command: 'live', replayFiles: [] };
  if (first === 'replay') {
    if (rest.length === 0) throw new ConfigError('peng replay needs a capture FILE; run: peng replay FILE... [flags] (files or directories of rotated captures)');
    const duplicate = rest.find((path, i) => rest.indexOf(path) !== i);
    if (duplicate !== undefined) throw new ConfigError(`peng replay got ${quoteValue(duplicate)} twice; give each capture once`);
    return { command: 'replay', replayFiles: rest };
  }
  if (first === 'live') {
    if (rest.length > 0) throw new ConfigError(`unexpected argument ${quoteValue(rest[0])}; live capture takes no FILE, to read a capture file run: peng replay FILE`);
    return { command: 'live', replayFiles: [] };
  }
  // `peng repaly f.pcap`: a mistyped command, not a capture file named "repaly".
  const command = closestName(first, COMMANDS);
  if (command !== null && (rest.length > 0 || !/[./]/.test(first))) {
    const suggestion = ['peng', command, ...rest.map((a) => quoteValue(a))].join(' ');
    throw new ConfigError(`unknown command ${quoteValue(first)}; did you mean: ${suggestion}`);
  }
  throw new ConfigError(`unexpected argument ${quoteValue(first)}; live capture takes no FILE, to read a capture file run: peng replay ${quoteValue(first)}`);
}

function splitFlag(arg: string): { dashes: string; name: string; inlineValue: string | null } | null {
  // "-" alone is a value (stdin-style), and a negative number is a value too.
  if (arg.length < 2 || arg[0] !== '-' || /^-\d/.test(arg)) return null;
  const dashes = arg.startsWith('--') ? '--' : '-';
  const body = arg.slice(dashes.length);
  const eq = body.indexOf('=');
  return eq === -1 ? { dashes, name: body, inlineValue: null } : { dashes, name: body.slice(0, eq), inlineValue: body.slice(eq + 1) };
}

function unknownFlag(flag: string): ConfigError {
  const dashes = flag.startsWith('--') ? '--' : '-';
  const guess = closestName(flag.slice(dashes.length), optionNames);
  const hint = guess === null ? 'run peng --help for the list of flags' : `did you mean ${dashes}${guess}? Run peng --help for the list of flags`;
  return new ConfigError(`unknown flag ${quoteValue(flag)}; ${hint}`);
}

function placeholderOf(option: OptionName): string {
  return formats[schema[option].format].placeholder;
}
