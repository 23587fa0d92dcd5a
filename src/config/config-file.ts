// Reading a --config file (JSON or YAML) into option settings, with located syntax errors.

import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { ConfigError, quoteValue } from './config-error.js';

// The YAML parser costs tens of milliseconds to load: only a YAML config file pays for it.
const require = createRequire(import.meta.url);
let yamlModule: typeof import('yaml') | null = null;
function loadYaml(): typeof import('yaml') {
  yamlModule ??= require('yaml') as typeof import('yaml');
  return yamlModule;
}

/** A syntax error in a config text, located; never quotes the text (it may hold the InfluxDB token). */
class ConfigSyntaxError extends Error {
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

function parseJsonConfig(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const error = findJsonSyntaxError(text) ?? { offset: 0, problem: 'not valid JSON' };
    const { line, column } = lineAndColumn(text, error.offset);
    throw new ConfigSyntaxError(error.problem, line, column);
  }
}

function parseYamlConfig(text: string): unknown {
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
function parserFor(file: string): (text: string) => unknown {
  return extname(file).toLowerCase() === '.json' ? parseJsonConfig : parseYamlConfig;
}

/**
 * Reads a --config file into a plain mapping of option names to values (empty file: no settings).
 * Every failure is a ConfigError naming the file and, for syntax, the line.
 */
export function readConfigFile(file: string, isKnownKey: (key: string) => boolean = () => true, suggest: (key: string) => string | null = () => null): Record<string, unknown> {
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
  const settings = parsed as Record<string, unknown>;
  const unknown = Object.keys(settings).find((key) => !isKnownKey(key));
  if (unknown !== undefined) {
    // Never the key itself: --config may name any file root can read (/etc/shadow) and print its first line.
    const line = keyLine(text.replace(/^\uFEFF/, ''), unknown);
    const guess = suggest(unknown);
    const hint = guess === null ? 'run peng --help for the list of options' : `did you mean ${guess}? Run peng --help for the list of options`;
    throw new ConfigError(`config file ${name}: unknown key${line === null ? '' : ` at line ${line}`} (not a Peng option); ${hint}`);
  }
  return settings;
}

/** The 1-based line of a top-level key (YAML, or JSON read as YAML), or null when it cannot be located. */
function keyLine(text: string, key: string): number | null {
  const yaml = loadYaml();
  const lines = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter: lines });
  if (!yaml.isMap(doc.contents)) return null;
  for (const item of doc.contents.items) {
    const node = item.key;
    if (yaml.isScalar(node) && String(node.value) === key && node.range) return lines.linePos(node.range[0]).line;
  }
  return null;
}

function systemReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return code ?? (err instanceof Error ? err.message : 'unknown error');
}

/** Where a JSON text first breaks the grammar, and how. */
interface JsonSyntaxError {
  readonly offset: number;
  readonly problem: string;
}

const MAX_DEPTH = 256;

/**
 * Finds the first syntax error in a JSON text, or returns null if it is valid. Used after JSON.parse
 * fails, because V8's messages do not always give a position and may quote the file (and its secrets).
 */
function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  let i = 0;
  const fail = (problem: string): JsonSyntaxError => ({ offset: i, problem });
  const describe = (): string => (i >= text.length ? 'unexpected end of file' : `unexpected character ${JSON.stringify(text[i])}`);
  const skipSpace = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };

  const value = (depth: number): JsonSyntaxError | null => {
    skipSpace();
    if (depth > MAX_DEPTH) return fail(`nested more than ${MAX_DEPTH} levels deep`);
    const c = text[i];
    if (c === '{') return container(depth, '}', true);
    if (c === '[') return container(depth, ']', false);
    if (c === '"') return string();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return null;
      }
    }
    const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    number.lastIndex = i;
    if (c !== undefined && /[-\d]/.test(c) && number.test(text)) {
      i = number.lastIndex;
      return null;
    }
    return fail(`${describe()}, expected a value`);
  };

  const string = (): JsonSyntaxError | null => {
    i++;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return null;
      }
      if (c < ' ') return fail('control character inside a string (a line break needs \\n)');
      if (c === '\\') {
        const escape = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;
        escape.lastIndex = i;
        if (!escape.test(text)) return fail('invalid escape sequence in a string');
        i = escape.lastIndex;
      } else i++;
    }
    return fail('unterminated string');
  };

  const container = (depth: number, close: string, isObject: boolean): JsonSyntaxError | null => {
    i++;
    skipSpace();
    if (text[i] === close) {
      i++;
      return null;
    }
    for (;;) {
      if (isObject) {
        skipSpace();
        if (text[i] !== '"') return fail(`${describe()}, expected a property name in double quotes`);
        const key = string();
        if (key) return key;
        skipSpace();
        if (text[i] !== ':') return fail(`${describe()}, expected ':' after a property name`);
        i++;
      }
      const item = value(depth + 1);
      if (item) return item;
      skipSpace();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === close) {
        i++;
        return null;
      }
      return fail(`${describe()}, expected ',' or '${close}'`);
    }
  };

  const result = value(0);
  if (result) return result;
  skipSpace();
  return i < text.length ? fail(`${describe()} after the end of the JSON value`) : null;
}

/** 1-based line and column of a character offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text[k] === '\n') {
      line++;
      lineStart = k + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
