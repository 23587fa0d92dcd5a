/**
 * Helper process for the live tests, started with `ip netns exec` inside a test's namespace (a process
 * cannot change its own namespace). Does nothing unless PENG_LIVE_CHILD=1, so a test runner that loads
 * it by mistake is unharmed.
 *
 *   capture <json CaptureRequest>  prints `READY {...}`, then `COUNT n` as frames arrive; on SIGTERM prints
 *                                  `RESULT {...}` and exits 0. An open error prints `ERROR {...}`, exit 2.
 *   send <interface> <hex>...      injects each hex frame on the interface (pcap_sendpacket), exits 0.
 */
import { decodeSyn } from '../../../src/packets/decode-syn.js';
import { createSynRecord, DecodeResult } from '../../../src/packets/syn-record.js';
import { MATCH_NOTHING_FILTER } from '../../../src/sources/live/bpf-filter.js';
import { loadPcap } from '../../../src/sources/live/pcap-addon.js';
import { LiveCaptureError, openLiveCapture } from '../../../src/sources/live/live-capture.js';
import { dropPrivileges, type PrivilegeDropOptions } from '../../../src/run/privileges.js';

export interface CaptureRequest {
  interfaceName: string;
  filter?: string;
  /** Drop privileges after opening, as the CLI does. */
  drop?: PrivilegeDropOptions;
}

export interface CaptureResult {
  /** Times the capture callback ran. */
  frames: number;
  syn: number;
  other: number;
  malformed: number;
  /** Destination ports of the SYNs, in arrival order. */
  ports: number[];
  /** `v4`/`v6` per SYN. */
  families: number[];
  uid: number;
}

function capture(request: CaptureRequest): void {
  const record = createSynRecord();
  const result: CaptureResult = { frames: 0, syn: 0, other: 0, malformed: 0, ports: [], families: [], uid: -1 };
  let live;
  try {
    live = openLiveCapture({
      interfaceName: request.interfaceName,
      ...(request.filter === undefined ? {} : { filter: request.filter }),
      consumer: {
        onFrame(data, offset, length, linkType) {
          result.frames++;
          const r = decodeSyn(data, offset, length, linkType, record);
          if (r === DecodeResult.Syn) {
            result.syn++;
            if (result.ports.length < 10_000) {
              result.ports.push(record.dstPort);
              result.families.push(record.family);
            }
          } else if (r === DecodeResult.Other) result.other++;
          else result.malformed++;
        },
      },
    });
  } catch (error) {
    const code = error instanceof LiveCaptureError ? error.code : 'unexpected';
    process.stdout.write(`ERROR ${JSON.stringify({ code, message: (error as Error).message })}\n`);
    process.exitCode = 2;
    return;
  }
  let dropped: unknown = null;
  if (request.drop) dropped = dropPrivileges(request.drop);
  process.stdout.write(`READY ${JSON.stringify({ linkType: live.linkType, filter: live.filter, uid: process.getuid!(), dropped })}\n`);
  let reported = -1;
  const ticker = setInterval(() => {
    if (result.frames !== reported) process.stdout.write(`COUNT ${(reported = result.frames)}\n`);
  }, 20);
  // Bounded: a forgotten child ends itself.
  const limit = setTimeout(() => process.kill(process.pid, 'SIGTERM'), 60_000);
  process.once('SIGTERM', () => {
    clearInterval(ticker);
    clearTimeout(limit);
    live.close();
    result.uid = process.getuid!();
    process.stdout.write(`RESULT ${JSON.stringify({ ...result, stats: live.stats() })}\n`);
  });
}

function send(interfaceName: string, frames: string[]): void {
  const handle = loadPcap().open(interfaceName, 256, 1 << 20, 10, MATCH_NOTHING_FILTER);
  for (const hex of frames) handle.inject(Buffer.from(hex, 'hex'));
  handle.close();
}

if (process.env.PENG_LIVE_CHILD === '1') {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === 'capture') capture(JSON.parse(args[0]!) as CaptureRequest);
  else if (mode === 'send') send(args[0]!, args.slice(1));
  else {
    process.stderr.write(`unknown mode ${mode}\n`);
    process.exitCode = 2;
  }
}
