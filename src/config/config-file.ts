import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';

// The YAML parser costs tens of milliseconds to load: only a YAML config file pays for it.
const require = createRequire(import.meta.url);
let yamlModule: typeof import('yaml') | null = null;
function loadYaml(): typeof import('yaml') {
  yamlModule ??= require('yaml') as typeof import('yaml');
  return yamlModule;
}
import { ConfigError, quoteValue } from './config-error.js';
import { findJsonSyntaxError, lineAndColumn } from './json-syntax.js';

/** A syntax error in a config text, located; never quotes the text (it may hold the InfluxDB token). */
export class ConfigSyntaxError extends Error {
  constructor(
    readonly problem: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${problem} at line ${line}, column ${column}`);
  }
}

/** A config file is small; a bigger one is a mistake (or an attack), refused before it is read. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

export function parseJsonConfig(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const error = findJsonSyntaxError(text) ?? { offset: 0, problem: 'not valid JSON' };
    const { line, column } = lineAndColumn(text, error.offset);
    throw new ConfigSyntaxError(error.problem, line, column);
  }
}

export function parseYamlConfig(text: string): unknown {
  const doc = loadYaml().parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  // Warnings (an unknown !tag ...) are errors too: a config file should mean exactly one thing.
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const firstLine = problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const position = problem.linePos?.[0] ?? { line: 1, col: 1 };
    throw new ConfigSyntaxError(firstLine, position.line, position.col);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (err) {
    throw new ConfigSyntaxError(err instanceof Error ? err.message : 'cannot be read as YAML', 1, 1);
  }
}

/** The parser for a file name: JSON for .json, YAML (a superset of JSON) for anything else. */
export function parserFor(file: string): (text: string) => unknown {
  return extname(file).toLowerCase() === '.json' ? parseJsonConfig : parseYamlConfig;
}

/**
 * Reads a --config file into a plain mapping of option names to values (empty file: no settings).
 * Every failure is a ConfigError naming the file and, for syntax, the line.
 */
export function readConfigFile(file: string): Record<string, unknown> {
  const name = quoteValue(file);
  let text: string;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new ConfigError(`config file ${name} is not a regular file; give --config a JSON or YAML file`);
    if (stat.size > MAX_CONFIG_FILE_BYTES) {
      throw new ConfigError(`config file ${name} is ${stat.size} bytes, more than the ${MAX_CONFIG_FILE_BYTES} allowed; give --config a small JSON or YAML file`);
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`config file ${name} cannot be read (${systemReason(err)}); check the path given to --config or PENG_CONFIG`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = parserFor(file)(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    if (!(err instanceof ConfigSyntaxError)) throw err;
    const kind = parserFor(file) === parseJsonConfig ? 'JSON' : 'YAML';
    throw new ConfigError(`config file ${name}: ${kind} syntax error at line ${err.line}, column ${err.column}: ${err.problem}; fix the file`, { cause: err });
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    const got = Array.isArray(parsed) ? 'a list' : `a ${typeof parsed}`;
    throw new ConfigError(`config file ${name} holds ${got}, not a mapping of option names to values; see config/peng.yaml for an example`);
  }
  return parsed as Record<string, unknown>;
}

function systemReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return code ?? (err instanceof Error ? err.message : 'unknown error');
}
