import convict from 'convict';
import { ConfigError, closestName, quoteValue } from './config-error.js';
import { redactUrl } from '../redact-url.js';
import { readConfigFile } from './config-file.js';
import { checkCrossFieldRules } from './cross-field.js';
import { readTokenFile } from './token-file.js';
import type { FormatLimits } from './format-types.js';
import { FormatProblem, formats } from './formats.js';
import { asksForHelpOrVersion, parseArgs } from './parse-args.js';
import type { OptionValues, PengConfig } from './peng-config.js';
import { isOptionName, optionNames, schema, type OptionName } from './schema.js';

// Registered here, not in formats.ts: -help and -version read the formats and must not load convict.
for (const [name, format] of Object.entries(formats)) {
  convict.addFormat({
    name,
    coerce: (value: unknown) => (typeof value === 'string' ? format.coerce(value) : value),
    validate: (value: unknown, entry: convict.SchemaObj) => {
      format.validate(value, limitsOf(entry));
    },
  });
}

function limitsOf(entry: convict.SchemaObj): FormatLimits {
  const { min, max } = entry as { min?: unknown; max?: unknown };
  return { ...(typeof min === 'number' ? { min } : {}), ...(typeof max === 'number' ? { max } : {}) };
}

export interface LoadConfigOptions {
  /** Receives what is worth saying but not refusing (a world-readable -tokenFile); default: dropped. */
  warn?: (message: string) => void;
}

/**
 * Builds the configuration of one run from the command line and the environment.
 * Precedence: defaults < --config file < PENG_* environment < flags. Throws a ConfigError (one line,
 * `<what is wrong>; <what to do>`) for any usage or configuration error; never writes to stdout.
 */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv, options: LoadConfigOptions = {}): PengConfig {
  const asked = asksForHelpOrVersion(argv);
  if (asked.help || asked.version) return { ...defaultConfig(), ...asked };

  const args = parseArgs(argv);
  const pengEnv = pickPengEnv(env);
  // args: [] keeps convict's own (yargs) parsing off: parse-args.ts reads the command line.
  const config = convict(schema as unknown as convict.Schema<OptionValues>, { env: pengEnv, args: [] });
  const sources = new Map<OptionName, OptionSource>();
  for (const name of optionNames) {
    const variable = schema[name].env;
    const raw = variable === undefined ? undefined : pengEnv[variable];
    sources.set(name, variable === undefined || raw === undefined ? { kind: 'default' } : { kind: 'env', variable, raw });
  }

  const file = args.flags.get('config')?.text ?? pengEnv['PENG_CONFIG'] ?? '';
  if (file !== '') {
    const settings = readConfigFile(file, isOptionName, (key) => closestName(key, optionNames));
    checkFileKeys(file, settings);
    config.load(settings); // convict re-applies the environment over the file
    for (const name of Object.keys(settings) as OptionName[]) {
      if (sources.get(name)?.kind === 'default') sources.set(name, { kind: 'file', file, raw: settings[name] });
    }
  }

  for (const [name, { flag, text }] of args.flags) {
    config.set(name, text ?? 'true');
    sources.set(name, { kind: 'flag', flag, raw: text });
  }

  const describe = (name: OptionName): string => describeSetting(name, sources.get(name) ?? { kind: 'default' });
  const values = validateEach(config, describe);
  validateWithConvict(config);
  if (values.tokenFile !== '') {
    if (values.token !== '') throw new ConfigError(`${describe('token')} and ${describe('tokenFile')} both give the InfluxDB token; give only one of them`);
    values.token = readTokenFile(values.tokenFile, options.warn ?? (() => {}));
    sources.set('token', sources.get('tokenFile') ?? { kind: 'default' }); // errors about the token name -tokenFile
  }
  checkCrossFieldRules(values, describe);
  return { command: args.command, replayFiles: [...args.replayFiles], ...values };
}

/** The configuration with nothing given: what `config/peng.yaml` and --help document. */
export function defaultConfig(): PengConfig {
  const config = convict(schema as unknown as convict.Schema<OptionValues>, { env: {}, args: [] });
  return { command: 'live', replayFiles: [], ...config.getProperties() };
}

/** The PENG_* variables of options that have one; PENG_HELP, PENG_VERSION and the like are not read at all. */
function pickPengEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of optionNames) {
    const variable = schema[name].env;
    if (variable === undefined) continue;
    const value = env[variable];
    if (typeof value === 'string') picked[variable] = value;
  }
  return picked;
}

/** Unknown keys and command-line actions in a config file are errors that name the key. */
function checkFileKeys(file: string, settings: Record<string, unknown>): void {
  for (const key of Object.keys(settings)) {
    if (!isOptionName(key)) continue; // readConfigFile already refused unknown keys
    if (schema[key].format === 'peng-duration' && typeof settings[key] === 'number') {
      // A bare number would silently mean milliseconds; the flag and the variable refuse it too.
      throw new ConfigError(`config file ${quoteValue(file)}: ${key} ${String(settings[key])} has no unit; write a Go-style duration such as "${String(settings[key])}s" or "1m"`);
    }
    if (schema[key].inFile === false) {
      throw new ConfigError(`config file ${quoteValue(file)}: ${key} cannot be set in a config file; remove it and give -${key} on the command line`);
    }
    // convict would merge a mapping into the default value instead of replacing it: refuse it here.
    const raw = settings[key];
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
      const spec = schema[key];
      let problem = new FormatProblem('expected a value, got a mapping', 'run peng --help for what each option takes');
      try {
        formats[spec.format].validate(raw, spec);
      } catch (err) {
        if (err instanceof FormatProblem) problem = err;
      }
      throw new ConfigError(`${describeSetting(key, { kind: 'file', file, raw })}: ${problem.problem}; ${problem.hint}`);
    }
  }
}

/** Runs each option's format on its final value, so the error names the flag, variable or file entry. */
function validateEach(config: convict.Config<OptionValues>, describe: (name: OptionName) => string): OptionValues {
  const values = config.getProperties();
  for (const name of optionNames) {
    const spec = schema[name];
    try {
      formats[spec.format].validate(values[name], spec);
    } catch (err) {
      if (!(err instanceof FormatProblem)) throw err;
      throw new ConfigError(`${describe(name)}: ${err.problem}; ${err.hint}`, { cause: err });
    }
  }
  return values;
}

/** convict's own strict check, as a backstop; its report goes into the error, never to stdout. */
function validateWithConvict(config: convict.Config<OptionValues>): void {
  const notices: string[] = [];
  try {
    config.validate({ allowed: 'strict', output: (message) => notices.push(message) });
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new ConfigError(`invalid configuration: ${first}; run peng --help for the options`, { cause: err });
  }
  if (notices.length > 0) throw new ConfigError(`invalid configuration: ${notices[0]}; run peng --help for the options`);
}

/** Where an option's value came from, so an error can point at what the user wrote. */
type OptionSource =
  | { readonly kind: 'default' }
  | { readonly kind: 'file'; readonly file: string; readonly raw: unknown }
  | { readonly kind: 'env'; readonly variable: string; readonly raw: string }
  /** `raw` is null for a bare boolean flag (`-json`). */
  | { readonly kind: 'flag'; readonly flag: string; readonly raw: string | null };

/** Names a setting as the user wrote it: `-bin 0`, `PENG_BIN=0`, `bin 0 (config file peng.yaml)`, `bin 16 (default)`. */
function describeSetting(name: OptionName, source: OptionSource): string {
  const hidden = schema[name].sensitive === true;
  // A URL's user-info is a credential: `http://user:pass@host` is shown as `http://***@host`.
  const show = (raw: unknown): string => (hidden ? '[hidden]' : quoteValue(typeof raw === 'string' ? redactUrl(raw) : raw));
  switch (source.kind) {
    case 'flag':
      return source.raw === null ? source.flag : `${source.flag} ${show(source.raw)}`;
    case 'env':
      return `${source.variable}=${show(source.raw)}`;
    case 'file':
      return `${name} ${show(source.raw)} (config file ${quoteValue(source.file)})`;
    case 'default':
      return `${name} ${show(schema[name].default)} (default)`;
  }
}
