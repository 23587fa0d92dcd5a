const UNIT_BYTES: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/**
 * Parses a byte count: a whole number of bytes (`4194304`) or a number with a unit (`512KiB`, `4MiB`,
 * `1.5MB`; KiB/MiB/GiB are powers of 1024, KB/MB/GB of 1000). Returns null when the text is not one.
 */
export function parseByteSize(text: string): number | null {
  if (text.length > 32) return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (match === null) return null;
  const unit = match[2]!.toLowerCase();
  const scale = unit === '' ? 1 : UNIT_BYTES[unit];
  if (scale === undefined) return null;
  const bytes = Number(match[1]) * scale;
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** Formats a byte count with the largest binary unit that divides it (`4MiB`, `512KiB`, `1000B`). */
export function formatByteSize(bytes: number): string {
  for (const [unit, scale] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= scale && bytes % scale === 0) return `${bytes / scale}${unit}`;
  }
  return `${bytes}B`;
}
