import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { linkTypeOf, TcpFlags, tcpFrame } from '../../../support/frames.js';
import { DEFAULT_START_MICROS, pcapFile } from '../../../support/capture-writers.js';

/** One frame per window: windows with nothing in them beyond five in a row would become one gap record. */
const WINDOWS_PER_FRAME = 1;

/**
 * A capture whose replay with `-timeFrame 1m` yields exactly `windows` windows (empty ones included):
 * one SYN a minute, the last one opening the final window (about 7 MB on disk for 100 000 windows).
 */
export function writeWindowsCapture(dir: string, windows: number): string {
  const frameMicros = 60_000_000;
  const records = [];
  for (let w = 0; w < windows; w += WINDOWS_PER_FRAME) records.push(w);
  if (records.at(-1) !== windows - 1) records.push(windows - 1);
  const file = join(dir, `${windows}-windows.pcap`);
  writeFileSync(
    file,
    pcapFile(
      linkTypeOf.ethernet,
      records.map((w, i) => ({
        bytes: tcpFrame({ link: 'ethernet', ipv4: { src: '198.51.100.1', dst: '192.0.2.1' }, tcp: { dstPort: 1000 + (i % 60000), flags: TcpFlags.SYN } }),
        timeMicros: DEFAULT_START_MICROS + w * frameMicros,
      })),
    ),
  );
  return file;
}

/** The `timeUnixNano` of window `index` (0-based) of such a capture: its end. */
export function windowEndNanos(index: number): string {
  return ((BigInt(DEFAULT_START_MICROS) + BigInt(index + 1) * 60_000_000n) * 1000n).toString();
}
