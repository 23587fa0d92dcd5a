/** Where a JSON text first breaks the grammar, and how. */
export interface JsonSyntaxError {
  readonly offset: number;
  readonly problem: string;
}

const MAX_DEPTH = 256;

/**
 * Finds the first syntax error in a JSON text, or returns null if it is valid. Used after JSON.parse
 * fails, because V8's messages do not always give a position and may quote the file (and its secrets).
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
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
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
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
