import type * as ChildProcess from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { systemProgram } from '../system-program.js';
import { hardenProcess } from './process-hardening.js';

export interface PrivilegeDropOptions {
  /** User name or numeric id to become; default `nobody` when started as root. */
  user?: string;
  /** Group name or numeric id; default the user's primary group. */
  group?: string;
  /** Told once when the bounding set or no_new_privs could not be set (the drop itself still happens). */
  onWarning?: (message: string) => void;
}

export type PrivilegeDropResult =
  | { dropped: true; user: string; uid: number; group: string; gid: number }
  | { dropped: false; reason: string };

/** The user or group to switch to does not exist, or the switch did not stick. A configuration error (exit 2). */
export class PrivilegeDropError extends Error {
  override readonly name = 'PrivilegeDropError';
  readonly exitCode = 2;
}

export const DEFAULT_USER = 'nobody';

// child_process takes milliseconds to load and only the getent fallback needs it: loaded on first use.
const require = createRequire(import.meta.url);

interface Account {
  name: string;
  id: number;
  /** Primary group id (users only). */
  gid: number;
}

/**
 * Gives up root, as scanlogd does: call it after every capture handle and output file is open (they
 * stay usable through their open descriptors). Empties the capability bounding set and sets no_new_privs,
 * clears supplementary groups, then sets the group, then the user, and checks that root cannot be regained. Does nothing when not running as root.
 */
export function dropPrivileges(options: PrivilegeDropOptions = {}): PrivilegeDropResult {
  if (typeof process.getuid !== 'function' || typeof process.setuid !== 'function') {
    return { dropped: false, reason: 'this platform has no POSIX user ids' };
  }
  if (process.getuid() !== 0 && process.geteuid!() !== 0) {
    return { dropped: false, reason: `not running as root (uid ${process.getuid()}); nothing to drop` };
  }
  const userName = options.user ?? DEFAULT_USER;
  const user = lookupAccount('passwd', userName);
  if (user === null) throw new PrivilegeDropError(`cannot drop privileges: user "${userName}" does not exist (set --user to an existing account)`);
  let gid = user.gid;
  let groupName = lookupName('group', gid) ?? String(gid);
  if (options.group !== undefined) {
    const group = lookupAccount('group', options.group);
    if (group === null) throw new PrivilegeDropError(`cannot drop privileges: group "${options.group}" does not exist (set --group to an existing group)`);
    gid = group.id;
    groupName = group.name;
  }
  if (user.id === 0) return { dropped: false, reason: `user "${userName}" is root; privileges kept` };

  const hardening = hardenProcess(); // while still root: clearing the bounding set needs CAP_SETPCAP
  if (hardening !== null) options.onWarning?.(`${hardening}; privileges are dropped anyway`);
  process.setgroups!([]);
  process.setgid!(gid);
  process.setuid(user.id);
  if (process.getuid() !== user.id || process.geteuid!() !== user.id || process.getgid!() !== gid) {
    throw new PrivilegeDropError(`cannot drop privileges: still uid ${process.getuid()} gid ${process.getgid!()} after switching to ${userName}`);
  }
  if (canRegainRoot()) throw new PrivilegeDropError(`cannot drop privileges: root could be regained after switching to ${userName}`);
  return { dropped: true, user: user.name, uid: user.id, group: groupName, gid };
}

function canRegainRoot(): boolean {
  try {
    process.setuid!(0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds a user (`passwd`) or group (`group`) by name or numeric id through NSS (`getent`), else /etc.
 * When NSS reads /etc first anyway, an entry found there is NSS's answer: no getent process (~10 ms each).
 */
export function lookupAccount(database: 'passwd' | 'group', nameOrId: string): Account | null {
  if (nameOrId === '' || /[\s:]/.test(nameOrId)) return null;
  const fromNss = (): Account | null => {
    const line = getent(database, nameOrId);
    return line === null ? null : parseEntry(line);
  };
  return (nssReadsFilesFirst(database) ? fromEtc(database, nameOrId) : null) ?? fromNss() ?? fromEtc(database, nameOrId);
}

/** One drop looks up to three entries: nsswitch.conf is read once per database. */
const nssFirstSources = new Map<string, string>();

/** Whether /etc/nsswitch.conf names `files` as the first source of the database (no file or line: unknown, so no). */
export function nssReadsFilesFirst(database: string, path = '/etc/nsswitch.conf'): boolean {
  const key = `${path}\0${database}`;
  let first = nssFirstSources.get(key);
  if (first === undefined) {
    first = '';
    try {
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        const m = /^\s*(\w+)\s*:\s*([^#\s]*)/.exec(line);
        if (m !== null && m[1] === database) {
          first = m[2]!;
          break;
        }
      }
    } catch {
      // No nsswitch.conf: which source comes first is unknown.
    }
    nssFirstSources.set(key, first);
  }
  return first === 'files';
}

function lookupName(database: 'passwd' | 'group', id: number): string | null {
  return lookupAccount(database, String(id))?.name ?? null;
}

/** `name:x:id:gid:...` (passwd) or `name:x:id:members` (group). */
export function parseEntry(line: string): Account | null {
  const f = line.split(':');
  // Decimal ids only, as glibc reads them: an empty field is not 0 (root), nor is 0x10 sixteen.
  if (f.length < 3 || f[0] === '' || !/^\d{1,10}$/.test(f[2]!)) return null;
  const id = Number(f[2]);
  if (f.length > 4 && !/^\d{1,10}$/.test(f[3]!)) return null;
  return { name: f[0]!, id, gid: f.length > 4 ? Number(f[3]) : id };
}

function getent(database: string, key: string): string | null {
  const program = systemProgram('getent');
  if (program === null) return null;
  try {
    const { execFileSync } = require('node:child_process') as typeof ChildProcess;
    const out = execFileSync(program, [database, key], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    const first = out.split('\n')[0] ?? '';
    return first === '' ? null : first;
  } catch {
    return null; // not found (exit 2) or no getent: the /etc fallback decides
  }
}

/** The first well-formed entry for `key` in `file`, skipping comments and malformed lines as glibc's files source does. */
export function fromEtc(database: string, key: string, file = `/etc/${database}`): Account | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const numeric = /^\d+$/.test(key);
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const entry = parseEntry(line);
    if (entry !== null && (numeric ? String(entry.id) === String(Number(key)) : entry.name === key)) return entry;
  }
  return null;
}

/**
 * Drops to `-user`/`-group` when `-user` is set (empty keeps the current user), and says what it did:
 * as info for a live run, as debug for a replay (whose stderr is otherwise quiet).
 */
export function dropPrivilegesAsConfigured(
  config: { user: string; group: string },
  log: { info(m: string): void; warn(m: string): void; debug(m: string): void },
  announce: 'info' | 'debug' = 'info',
): void {
  if (config.user === '') return;
  const result = dropPrivileges({ user: config.user, ...(config.group !== '' ? { group: config.group } : {}), onWarning: (m) => log.warn(m) });
  if (result.dropped) log[announce](`running as ${result.user}:${result.group} (uid ${result.uid}, gid ${result.gid})`);
  else log.debug(`privileges kept: ${result.reason}`);
}
