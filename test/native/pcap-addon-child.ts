/**
 * Helper process for the addon tests, run inside a test's namespace (`ip netns exec`), with the normal
 * build or the sanitizer build (PENG_PCAP_ADDON). Does nothing unless PENG_ADDON_CHILD=1. Each scenario
 * prints `RESULT {json}` and exits 0; a crash or a sanitizer report is what the tests look for.
 *
 *   hostile <device>   frames longer than the buffer, snaplen 1, zero-length and bad arguments
 *   watch <device>     prints READY, then `ERROR {message, code}` on a read error; survives; SIGTERM ends it
 *   open <device>      one open attempt: `RESULT {code, message}` (bad filters, no permission)
 *   churn <device>     open/start/close and GC in a loop, closing from inside callbacks
 */
import { loadPcap, type PcapHandle } from '../../src/sources/live/pcap-addon.js';

const addon = loadPcap();

function attempt(fn: () => unknown): { ok: true } | { ok: false; code: string; name: string; message: string } {
  try {
    fn();
    return { ok: true };
  } catch (error) {
    const e = error as Error & { code?: string };
    return { ok: false, code: e.code ?? '', name: e.name, message: e.message };
  }
}

/** An Ethernet frame of `length` bytes (at least 14) whose payload bytes all equal `marker`. */
function frame(length: number, marker: number): Buffer {
  const bytes = Buffer.alloc(length, marker);
  bytes.fill(0xff, 0, 6);
  bytes.writeUInt16BE(0x88b5, 12); // local experimental EtherType: nothing in the kernel answers it
  return bytes;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Captures with a tiny frame buffer and snaplen 1 while another handle injects frames of chosen sizes. */
async function hostile(device: string): Promise<unknown> {
  const sender = addon.open(device, 65535, 1 << 20, 10, null);
  const out: Record<string, unknown> = {};
  const run = async (snaplen: number, bufferBytes: number, sizes: number[]): Promise<{ frames: { caplen: number; wire: number; ok: boolean }[]; oversized: number; batches: number }> => {
    // A filter cannot read the EtherType past a 1-byte snapshot: those runs take every frame.
    const h = addon.open(device, snaplen, 1 << 20, 10, snaplen >= 14 ? 'ether proto 0x88b5' : null);
    const frames = Buffer.alloc(bufferBytes);
    const meta = new Uint32Array(4 * 8);
    const seen: { caplen: number; wire: number; ok: boolean }[] = [];
    let batches = 0;
    h.start(frames, meta, (count) => {
      batches++;
      let offset = 0;
      for (let i = 0; i < count; i++) {
        const caplen = meta[4 * i]!;
        const wire = meta[4 * i + 1]!;
        // Every byte past the MAC header carries the frame's marker, so a misplaced copy shows.
        const marker = wire & 0x7f;
        let ok = offset + caplen <= frames.length && caplen <= Math.min(snaplen, wire);
        for (let j = 14; ok && j < caplen; j++) ok = frames[offset + j] === marker;
        seen.push({ caplen, wire, ok });
        offset += caplen;
      }
    }, () => {});
    await sleep(100);
    for (const size of sizes) sender.inject(frame(size, size & 0x7f));
    await sleep(400);
    const { oversized } = h.stats();
    h.close();
    return { frames: seen, oversized, batches };
  };
  // 100-byte buffer, snaplen 1500: 60 and 90 fit, 200 and 1400 cannot; the rest still arrive.
  out.small = await run(1500, 100, [60, 200, 90, 1400, 61]);
  // snaplen 1: one byte of each frame.
  out.snaplen1 = await run(1, 4096, [60, 1000]);
  // A buffer of one byte: nothing fits but a snaplen-1 frame.
  out.oneByte = await run(1, 1, [60, 70]);
  out.args = {
    zeroBuffer: attempt(() => addon.open(device, 256, 1 << 20, 10, null).start(Buffer.alloc(0), new Uint32Array(4), () => {}, () => {})),
    shortMeta: attempt(() => addon.open(device, 256, 1 << 20, 10, null).start(Buffer.alloc(64), new Uint32Array(3), () => {}, () => {})),
    wrongMeta: attempt(() => addon.open(device, 256, 1 << 20, 10, null).start(Buffer.alloc(64), new Uint8Array(64) as unknown as Uint32Array, () => {}, () => {})),
    snaplen0: attempt(() => addon.open(device, 0, 1 << 20, 10, null)),
    snaplenHuge: attempt(() => addon.open(device, 2 ** 31, 1 << 20, 10, null)),
    bufferNegative: attempt(() => addon.open(device, 256, -1, 10, null)),
    nulInName: attempt(() => addon.open(`${device}\0x`, 256, 1 << 20, 10, null)),
    notString: attempt(() => addon.open(7 as unknown as string, 256, 1 << 20, 10, null)),
    injectEmpty: attempt(() => sender.inject(Buffer.alloc(0))),
    injectHuge: attempt(() => sender.inject(Buffer.alloc(70000))),
    startTwice: attempt(() => {
      const h = addon.open(device, 256, 1 << 20, 10, null);
      h.start(Buffer.alloc(1024), new Uint32Array(16), () => {}, () => {});
      try {
        h.start(Buffer.alloc(1024), new Uint32Array(16), () => {}, () => {});
      } finally {
        h.close();
      }
    }),
    afterClose: attempt(() => {
      const h = addon.open(device, 256, 1 << 20, 10, null);
      h.close();
      h.stats();
    }),
  };
  sender.close();
  return out;
}

function watch(device: string): void {
  const h = addon.open(device, 256, 1 << 20, 100, null);
  let frames = 0;
  h.start(Buffer.alloc(64 * 1024), new Uint32Array(4 * 256), (count) => void (frames += count), (message, code) => {
    process.stdout.write(`ERROR ${JSON.stringify({ message, code, stats: attempt(() => h.stats()) })}\n`);
  });
  process.stdout.write('READY\n');
  const limit = setTimeout(() => process.kill(process.pid, 'SIGTERM'), 30_000);
  process.once('SIGTERM', () => {
    clearTimeout(limit);
    h.close();
    process.stdout.write(`RESULT ${JSON.stringify({ frames })}\n`);
  });
}

async function churn(device: string): Promise<unknown> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const sender = addon.open(device, 256, 1 << 20, 10, null);
  let closedInside = 0;
  for (let i = 0; i < 20; i++) {
    const h: PcapHandle = addon.open(device, 256, 1 << 20, 10, null);
    if (i % 3 === 0) h.close();
    else {
      h.start(Buffer.alloc(4096), new Uint32Array(64), () => {
        h.close();
        h.close();
        closedInside++;
      }, () => h.close());
      sender.inject(frame(60, 1));
    }
    if (i % 2 === 0) attempt(() => addon.open(device, 256, 1 << 20, 10, 'tcp['));
    await sleep(30);
    gc();
  }
  sender.close();
  gc();
  await sleep(50);
  return { closedInside };
}

if (process.env.PENG_ADDON_CHILD === '1') {
  const [mode, device = 'lo', filter] = process.argv.slice(2);
  const print = (value: unknown): void => void process.stdout.write(`RESULT ${JSON.stringify(value)}\n`);
  if (mode === 'hostile') void hostile(device).then(print);
  else if (mode === 'watch') watch(device);
  else if (mode === 'churn') void churn(device).then(print);
  else if (mode === 'open') print(attempt(() => addon.open(device, 256, 1 << 20, 100, filter ?? null).close()));
  else {
    process.stderr.write(`unknown mode ${mode}\n`);
    process.exitCode = 2;
  }
}
