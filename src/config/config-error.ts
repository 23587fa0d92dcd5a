// ConfigError and the helpers that word its messages (quoted values, did-you-mean suggestions).

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

/** The candidate a mistyped name most likely meant (same name in another case, or up to 2 edits away), or null. */
export function closestName(name: string, candidates: readonly string[]): string | null {
  if (name.length > 64) return null;
  const lower = name.toLowerCase();
  const sameLetters = candidates.find((c) => c.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
