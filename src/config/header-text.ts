// What an HTTP header value may hold (Node's rule), and how to name an offending character without printing it.

/** The first character Node refuses in a header value (controls except tab, DEL, beyond U+00FF), or null. */
export function findHeaderUnsafe(value: string): { index: number; char: string } | null {
  const match = /[\u0000-\u0008\u000a-\u001f\u007f]|[^\u0000-\u00ff]/u.exec(value);
  return match ? { index: match.index, char: match[0] } : null;
}

const CHAR_NAMES: Record<string, string> = { '\r': 'a carriage return (\\r)', '\n': 'a line feed (\\n)', '\u0000': 'a NUL character' };

/** Names a character without printing it: `a carriage return (\r)`, `the control character U+001B`. */
export function describeChar(char: string): string {
  const code = `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  const name = CHAR_NAMES[char];
  if (name !== undefined) return `${name}, ${code},`;
  return char.codePointAt(0)! <= 0x7f ? `the control character ${code}` : `the non-Latin-1 character ${code}`;
}
