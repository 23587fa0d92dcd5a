import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

/** Where helper programs are looked for: system directories only, never PATH (Peng often runs as root). */
export const SYSTEM_PROGRAM_DIRECTORIES: readonly string[] = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The absolute path of a system program (`getent`, `ip`), or null when no system directory has it. */
export function systemProgram(name: string): string | null {
  if (!/^[\w.-]+$/.test(name)) return null;
  for (const directory of SYSTEM_PROGRAM_DIRECTORIES) {
    const path = join(directory, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not in this directory: try the next
    }
  }
  return null;
}
