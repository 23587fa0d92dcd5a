/** What each benchmark section hands back: table rows for people, goals checked, raw data for the JSON. */
import type { GeneratedCapture } from './generate-capture.js';

export type Cell = string | number;
export type Row = Record<string, Cell>;

export interface Goal {
  name: string;
  target: string;
  measured: string;
  met: boolean;
}

export interface SectionResult {
  id: string;
  title: string;
  rows: Row[];
  goals: Goal[];
  notes: string[];
  /** Raw figures (every run), kept in the JSON only. */
  data?: unknown;
}

/** The machine a run measured: CPU, memory, node, kernel, tcpdump, load at start. */
export type MachineInfo = Record<string, string | number>;

/** What a run writes as JSON (bench/results/latest.json) and BENCHMARKS.md is generated from. */
export interface BenchRecord {
  /** ISO time the run ended. */
  date: string;
  quick: boolean;
  /** Every section ran and measured at the reference settings: only such a run may replace the committed figures. */
  complete: boolean;
  elapsedSeconds: number;
  machine: MachineInfo;
  /** The generated capture's description, without its local paths; null when no section needed one. */
  capture: Omit<GeneratedCapture, 'pcap' | 'gzip'> | null;
  options: { frames: number; seed: number; snaplen: number; runs: number };
  sections: SectionResult[];
}

/** A plain-text table with a header line, columns padded to their widest cell. */
export function formatTable(rows: readonly Row[]): string {
  if (rows.length === 0) return '(no rows)';
  const columns: string[] = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  const cells = rows.map((row) => columns.map((c) => formatCell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const textual = textColumns(rows, columns);
  const line = (values: string[]): string => values.map((v, i) => (textual[i] ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** The same table as Markdown, for BENCHMARKS.md. */
export function formatMarkdown(rows: readonly Row[]): string {
  if (rows.length === 0) return '(no rows)';
  const columns: string[] = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  const textual = textColumns(rows, columns);
  const head = `| ${columns.map(escapePipes).join(' | ')} |`;
  const rule = `|${columns.map((_, i) => (textual[i] ? ' --- ' : ' ---: ')).join('|')}|`;
  return [head, rule, ...rows.map((row) => `| ${columns.map((c) => escapePipes(formatCell(row[c]))).join(' | ')} |`)].join('\n');
}

const escapePipes = (text: string): string => text.replace(/\|/g, '\\|');

/** Columns mostly of text read left to right; columns mostly of numbers line up on the right. */
function textColumns(rows: readonly Row[], columns: readonly string[]): boolean[] {
  return columns.map((c) => {
    let text = 0;
    let numbers = 0;
    for (const row of rows) {
      const v = row[c];
      if (typeof v === 'number') numbers++;
      else if (v !== undefined && v !== '') text++;
    }
    return text > numbers;
  });
}

export function formatCell(value: Cell | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export function goal(name: string, target: string, measured: string, met: boolean): Goal {
  return { name, target, measured, met };
}

/** The run in one sentence: when, on what, how long. */
export function runLine(info: MachineInfo, elapsedSeconds: number, date: Date): string {
  return `Run ${date.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${info.nproc} x ${info.cpuModel}, ${info.memoryGiB} GiB, node ${info.node}, Linux ${info.kernel}, ${info.tcpdump}; load average ${info.loadAverageAtStart} at start; ${elapsedSeconds} s in all.`;
}

/** Every section's table and notes, then the goals, as Markdown (level-3 headings). */
export function markdownTables(results: readonly SectionResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    out.push(`### ${r.title}`, '', formatMarkdown(r.rows));
    // Notes mention /proc/<pid>/...: angle brackets would read as HTML tags.
    if (r.notes.length > 0) out.push('', ...r.notes.map((n) => `- ${n.replace(/</g, '&lt;').replace(/>/g, '&gt;')}`));
    out.push('');
  }
  out.push('### Goals', '');
  out.push(formatMarkdown(results.flatMap((r) => r.goals.map((g) => ({ goal: g.name, target: g.target, measured: g.measured, met: g.met ? 'yes' : '**no**' })))));
  return out.join('\n') + '\n';
}

/** The run line and the tables as Markdown, next to a quick or partial run's JSON. */
export function renderMarkdown(results: readonly SectionResult[], info: MachineInfo, elapsedSeconds: number, date: Date): string {
  return `${runLine(info, elapsedSeconds, date)}\n\n${markdownTables(results)}`;
}

/** The report as plain-text tables, for the terminal. */
export function render(results: readonly SectionResult[], info: MachineInfo, elapsedSeconds: number, date: Date): string {
  const out: string[] = [];
  out.push(`Peng benchmarks, ${date.toISOString().slice(0, 10)}: ${info.nproc} x ${info.cpuModel}, node ${info.node}, ${elapsedSeconds} s in all`);
  for (const r of results) {
    out.push('', `## ${r.title}`, '', formatTable(r.rows));
    for (const n of r.notes) out.push(`  note: ${n}`);
  }
  out.push('', '## Goals', '');
  out.push(formatTable(results.flatMap((r) => r.goals.map((g) => ({ goal: g.name, target: g.target, measured: g.measured, met: g.met ? 'yes' : 'NO' })))));
  return out.join('\n') + '\n';
}
