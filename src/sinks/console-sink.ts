import type { Direction, DirectionReport, WindowReport } from '../report/window-report.js';
import { printable } from '../log.js';
import type { Sink } from './sink.js';
import { TextOutput, type TextStream } from './text-output.js';

export interface ConsoleSinkOptions {
  /** 1: the seed's two lines per window; 2: + per-bin entropies; 3: + bits set per bin. */
  verbose: number;
  /** Where the lines go: stdout normally, stderr when stdout carries --json or --lineProtocol. */
  out: TextStream;
  /** Put before every line: `I! ` under Telegraf, which reads unprefixed stderr lines as errors. */
  linePrefix?: string;
  /** Most bytes left waiting for a slow reader; a window beyond is dropped whole and counted. */
  maxBufferedBytes?: number;
  /** Said once when the reader falls behind. */
  warn?: (message: string) => void;
  /** Longest wait in close() for the reader to take the last lines. */
  closeTimeoutMs?: number;
}

/** The seed's console lines: `[<time>] [CLIENT] total entropy: 0.000000`, then `[SERVER]`. */
export function createConsoleSink(options: ConsoleSinkOptions): Sink {
  const { verbose, out } = options;
  const prefix = options.linePrefix ?? '';
  const streamName = out === process.stderr ? 'stderr' : 'stdout';
  const output = new TextOutput(out, { streamName, maxBufferedBytes: options.maxBufferedBytes, warn: options.warn });
  return {
    name: 'console',
    write(report: WindowReport): void {
      const time = goTimeString(report.end);
      if (report.gap) {
        output.write(`${prefix}[${time}] [GAP] ${report.interface}: nothing seen in ${report.gap.windows} windows since ${goTimeString(report.start)}\n`);
        return;
      }
      let text = directionLines(time, 'client', report.client, verbose) + directionLines(time, 'server', report.server, verbose) + scanLines(time, report);
      // The time on every line is the window's end; a window shorter than the time frame says so and where it began.
      if (report.partial) text += `[${time}] [WINDOW] partial window since ${goTimeString(report.start)}\n`;
      if (verbose >= 2) text += probeLines(time, report);
      if (verbose >= 3) {
        const c = report.capture;
        text += `[${time}] [CAPTURE] ${printable(report.interface)} frames: ${c.frames} syn: ${c.synPackets} malformed: ${c.malformed}${report.partial ? ' (partial window)' : ''}\n`;
      }
      output.write(prefix === '' ? text : text.replace(/^(?=.)/gm, prefix));
    },
    async close(): Promise<void> {
      await output.settle(options.closeTimeoutMs ?? 5_000);
    },
    lost: () => output.lost,
  };
}

/** One line per newly named scanner and per scanner gone quiet: bounded by -maxScans per window, like the report. */
function scanLines(time: string, report: WindowReport): string {
  let text = '';
  for (const s of report.scans ?? []) {
    if (!s.new) continue;
    const arrow = s.direction === 'client' ? '(from this host) ->' : '->';
    text += `[${time}] [SCAN] ${printable(s.source)} ${arrow} ${s.ports} port${s.ports === 1 ? '' : 's'} on ${s.hosts} host${s.hosts === 1 ? '' : 's'} (${s.kinds.join(',')}; ${s.reason}) since ${goTimeString(s.firstSeen)}\n`;
  }
  for (const s of report.scansEnded ?? []) {
    text += `[${time}] [SCAN END] ${printable(s.source)}: quiet since ${goTimeString(s.lastSeen)}, ${s.ports} port${s.ports === 1 ? '' : 's'} on ${s.hosts} host${s.hosts === 1 ? '' : 's'} in all\n`;
  }
  return text;
}

/** `-verbose 2`: the window's probes by kind, per direction, only the kinds seen (nothing for a quiet direction). */
function probeLines(time: string, report: WindowReport): string {
  let text = '';
  for (const direction of ['client', 'server'] as const) {
    const seen = Object.entries(report.probes?.[direction] ?? {}).filter(([, n]) => n > 0);
    if (seen.length > 0) text += `[${time}] [${direction === 'client' ? 'CLIENT' : 'SERVER'}] probes: ${seen.map(([kind, n]) => `${kind} ${n}`).join(', ')}\n`;
  }
  return text;
}

function directionLines(time: string, direction: Direction, d: DirectionReport, verbose: number): string {
  const tag = direction === 'client' ? 'CLIENT' : 'SERVER';
  let text = `[${time}] [${tag}] total entropy: ${d.entropy.toFixed(6)}\n`;
  if (verbose >= 2) text += `[${time}] [${tag}] bin entropies: ${d.binEntropies.map((h) => h.toFixed(6)).join(' ')}\n`;
  if (verbose >= 3) text += `[${time}] [${tag}] bits set per bin: ${d.bitsSetPerBin.join(' ')} (syn packets: ${d.synPackets})\n`;
  return text;
}

/** Formats like Go's time.Time.String(): `2006-01-02 15:04:05.999 -0700 MST`, in local time. */
export function goTimeString(date: Date): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const ms = date.getMilliseconds();
  const fraction = ms === 0 ? '' : '.' + pad(ms, 3).replace(/0+$/, '');
  const offsetMin = -date.getTimezoneOffset();
  const sign = offsetMin >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  const zone = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? '';
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${fraction} ` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)} ${zone}`
  );
}
