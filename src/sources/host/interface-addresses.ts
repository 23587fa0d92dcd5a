import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { ANY_INTERFACE, interfaceIndex, interfaceNameOfIndex } from './interfaces.js';

type InterfaceTable = NodeJS.Dict<NetworkInterfaceInfo[]>;

/**
 * The addresses of the named interfaces (IPv4 and IPv6, scope ids dropped), sorted so two reads of an
 * unchanged host compare equal. `any` stands for every interface.
 */
export function interfaceAddresses(names: readonly string[], table: InterfaceTable = networkInterfaces()): string[] {
  const wanted = names.includes(ANY_INTERFACE) ? Object.keys(table) : names;
  const out = new Set<string>();
  for (const name of wanted) {
    for (const info of table[name] ?? []) {
      const zone = info.address.indexOf('%');
      out.add(zone === -1 ? info.address : info.address.slice(0, zone));
    }
  }
  return [...out].sort();
}

export interface LocalAddressWatcherOptions {
  /** The watched interfaces (`any` = all). */
  interfaceNames: readonly string[];
  /** Receives the first set, and every later set that differs from the one before. */
  onChange: (list: readonly string[]) => void;
  /** How often to re-read, in milliseconds; 0 means only when `refresh()` is called. */
  intervalMs?: number;
  /** Source of the interface table (tests); defaults to `os.networkInterfaces`. */
  readTable?: () => InterfaceTable;
  /** Called when a watched interface is renamed while watched: it is followed by its kernel index. */
  onRename?: (from: string, to: string) => void;
  /** Index lookups (tests); default sysfs. */
  indexOf?: (name: string) => number | null;
  nameOf?: (index: number) => string | null;
}

/**
 * Keeps "this host" equal to the watched interfaces' current addresses, so DHCP renewals and added
 * addresses apply without a restart. Its timer never keeps the process alive.
 */
export class LocalAddressWatcher {
  static readonly DEFAULT_INTERVAL_MS = 30_000;

  private readonly options: LocalAddressWatcherOptions;
  private readonly readTable: () => InterfaceTable;
  private current = '';
  private timer: NodeJS.Timeout | null = null;
  /** The watched interfaces by their current names, each with the kernel index it is followed by (null: by name). */
  private readonly watched: { name: string; index: number | null }[];

  constructor(options: LocalAddressWatcherOptions) {
    this.options = options;
    this.readTable = options.readTable ?? networkInterfaces;
    const indexOf = options.indexOf ?? interfaceIndex;
    this.watched = options.interfaceNames.map((name) => ({ name, index: indexOf(name) }));
  }

  /** The watched interfaces' names now (they differ from the configured ones after a rename). */
  get currentNames(): string[] {
    return this.watched.map((w) => w.name);
  }

  /** Follows renames: a name that no longer has the watched index is looked up by index. */
  private followRenames(): void {
    const nameOf = this.options.nameOf ?? interfaceNameOfIndex;
    for (const w of this.watched) {
      if (w.index === null) continue;
      const now = nameOf(w.index);
      if (now === null || now === w.name) continue; // gone (the capture says so) or unchanged
      const before = w.name;
      w.name = now;
      this.options.onRename?.(before, now);
    }
  }

  /** Reads the addresses now and starts the periodic re-read. Returns the first set. */
  start(): string[] {
    const list = interfaceAddresses(this.currentNames, this.readTable());
    this.publish(list);
    const interval = this.options.intervalMs ?? LocalAddressWatcher.DEFAULT_INTERVAL_MS;
    if (interval > 0 && this.timer === null) {
      this.timer = setInterval(() => this.refresh(), interval);
      this.timer.unref();
    }
    return list;
  }

  /** Re-reads the addresses; returns true when they changed (and `onChange` was called). */
  refresh(): boolean {
    let table: InterfaceTable;
    try {
      table = this.readTable();
    } catch {
      return false; // a failed read keeps the last known set rather than emptying it
    }
    this.followRenames();
    const list = interfaceAddresses(this.currentNames, table);
    if (list.join(' ') === this.current) return false;
    this.publish(list);
    return true;
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private publish(list: string[]): void {
    this.current = list.join(' ');
    this.options.onChange(list);
  }
}
