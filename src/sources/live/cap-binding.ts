import { createRequire } from 'node:module';

/** The parts of `cap` 0.2.1's native `Cap` handle that Peng uses (read from its `src/binding.cc`). */
export interface CapHandle {
  /**
   * Opens `device` with a BPF `filter`, a kernel ring of `bufferSize` bytes, and `buffer` as the one place
   * every packet is copied to. Returns the link type's name: `ETHERNET`, `LINKTYPE_LINUX_SLL`, `RAW`,
   * `NULL`, `IEEE802_11_RADIO` or `Unknown linktype N`. Throws libpcap's message on failure.
   */
  open(device: string, filter: string, bufferSize: number, buffer: Buffer): string;
  /** Stops capturing; false when it was not open. Safe to call from inside a packet event. */
  close(): boolean;
  /** Injects a frame on the open device (pcap_sendpacket). */
  send(frame: Buffer, length?: number): void;
  /** One event per packet: bytes copied into the open() buffer, and whether they were cut to its size. */
  on(event: 'packet', listener: (length: number, truncated: boolean) => void): this;
  removeAllListeners(event?: string): this;
}

/** One entry of `Cap.deviceList()` (pcap_findalldevs). */
export interface CapDevice {
  name: string;
  description?: string;
  addresses: { addr?: string; netmask?: string; broadaddr?: string; dstaddr?: string }[];
  flags?: string;
}

interface CapModule {
  Cap: { new (): CapHandle; deviceList(): CapDevice[] };
}

let loaded: CapModule | null = null;

/** Loads the native `cap` module on first use, so commands that never capture do not need libpcap. */
export function loadCap(): CapModule {
  if (loaded === null) {
    const require = createRequire(import.meta.url);
    try {
      loaded = require('cap') as CapModule;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`cannot load the "cap" capture module (libpcap): ${reason}; install libpcap-dev and rebuild with "npm rebuild cap"`);
    }
  }
  return loaded;
}

/**
 * Every handle ever created, kept for the life of the process. cap 0.2.1 never uv_close()s its poll
 * handle, so freeing a closed handle (its destructor runs when the JS object is collected) leaves a
 * dangling entry in libuv's handle queue and crashes later; and after a failed open() its close()
 * would stop a poll handle that was never initialised. The frame buffer is kept too: cap holds only a
 * raw pointer to it. Peng opens a handle or two per interface, so nothing accumulates.
 */
const retainedHandles: { handle: CapHandle; buffer: Buffer }[] = [];

/** Opens a new handle (kept alive forever, see `retainedHandles`); rethrows libpcap's error. */
export function openCapHandle(device: string, filter: string, bufferSize: number, buffer: Buffer): { handle: CapHandle; linkTypeName: string } {
  const handle = new (loadCap().Cap)();
  retainedHandles.push({ handle, buffer });
  return { handle, linkTypeName: handle.open(device, filter, bufferSize, buffer) };
}
