/**
 * A usage or configuration error the user can fix. The message is one line,
 * `<what is wrong>; <what to do>`; the CLI prints it as `peng: <message>` and exits with 2.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The process exit code for usage and configuration errors. */
  readonly exitCode = 2;

  constructor(message: string, options?: { cause?: unknown }) {
    super(oneLine(message), options);
  }
}

/** Collapses line breaks and control characters so a hostile value can never forge log lines or escapes. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** Quotes a user-supplied value for an error message: short, printable, one line. */
export function quoteValue(value: unknown, limit = 60): string {
  const text = typeof value === 'string' ? value : jsonText(value);
  const clipped = text.length > limit ? `${text.slice(0, limit)}…` : text;
  if (typeof value !== 'string') return clipped;
  // Plain words stay bare for readability (-bin 0, -timeFrame soon); anything else is JSON-quoted.
  return /^[\w.:/@%+,=-]+$/.test(clipped) ? clipped : JSON.stringify(clipped);
}

function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
