import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The native/prctl.c addon: two prctl(2) calls, each returning 0 or an errno. */
interface PrctlAddon {
  setNoNewPrivs(): number;
  dropBoundingSet(lastCap: number): number;
}

/** What hardening did: null when all is done, else one warning line (said once by the caller). */
export type HardeningOutcome = string | null;

let addon: PrctlAddon | null | undefined;
let addonProblem = '';

/** Loads build/Release/peng_prctl.node once, from the package root above this module (dist/src/run/ or the dist/bundle/ bundle). */
function loadAddon(): PrctlAddon | null {
  if (addon !== undefined) return addon;
  let root = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(root, 'package.json')) && dirname(root) !== root) root = dirname(root);
  try {
    addon = createRequire(import.meta.url)(join(root, 'build', 'Release', 'peng_prctl.node')) as PrctlAddon;
  } catch (err) {
    addon = null;
    addonProblem = (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' ? 'it was not built' : (err as Error).message.split('\n')[0]!;
  }
  return addon;
}

/** The highest capability number this kernel knows (`/proc/sys/kernel/cap_last_cap`), or null. */
function lastCapability(): number | null {
  try {
    const n = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim());
    return Number.isInteger(n) && n >= 0 && n < 1024 ? n : null;
  } catch {
    return null;
  }
}

/**
 * As the systemd unit does (NoNewPrivileges, CapabilityBoundingSet=): empties the capability bounding set
 * and sets no_new_privs, so nothing Peng might execute can regain privileges. Call it while still root
 * (dropping the bounding set needs CAP_SETPCAP), just before switching user.
 */
export function hardenProcess(): HardeningOutcome {
  const prctl = loadAddon();
  if (prctl === null) return `the prctl addon cannot be loaded (${addonProblem}; run npm rebuild peng): the capability bounding set stays full and no_new_privs unset`;
  const problems: string[] = [];
  const last = lastCapability();
  if (last === null) problems.push('cannot read /proc/sys/kernel/cap_last_cap, so the capability bounding set stays full');
  else {
    const err = prctl.dropBoundingSet(last);
    if (err !== 0) problems.push(`PR_CAPBSET_DROP failed (errno ${err}), so the capability bounding set is not empty`);
  }
  const err = prctl.setNoNewPrivs();
  if (err !== 0) problems.push(`PR_SET_NO_NEW_PRIVS failed (errno ${err})`);
  return problems.length === 0 ? null : problems.join('; ');
}
