/** What each benchmark section hands back: table rows for people, goals checked, raw data for the JSON. */

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

function formatCell(value: Cell | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export function goal(name: string, target: string, measured: string, met: boolean): Goal {
  return { name, target, measured, met };
}

/** The same report as Markdown, for BENCHMARKS.md. */
export function renderMarkdown(results: readonly SectionResult[], info: Record<string, string | number>, elapsedSeconds: number, date: Date): string {
  const out: string[] = [];
  out.push(`Run ${date.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${info.nproc} x ${info.cpuModel}, ${info.memoryGiB} GiB, node ${info.node}, Linux ${info.kernel}, ${info.tcpdump}; load average ${info.loadAverageAtStart} at start; ${elapsedSeconds} s in all.`);
  for (const r of results) {
    out.push('', `### ${r.title}`, '', formatMarkdown(r.rows));
    // Notes mention /proc/<pid>/...: angle brackets would read as HTML tags.
    if (r.notes.length > 0) out.push('', ...r.notes.map((n) => `- ${n.replace(/</g, '&lt;').replace(/>/g, '&gt;')}`));
  }
  out.push('', '### Goals', '');
  out.push(formatMarkdown(results.flatMap((r) => r.goals.map((g) => ({ goal: g.name, target: g.target, measured: g.measured, met: g.met ? 'yes' : '**no**' })))));
  return out.join('\n') + '\n';
}

/** The report as plain-text tables, for the terminal. */
export function render(results: readonly SectionResult[], info: Record<string, string | number>, elapsedSeconds: number, date: Date): string {
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
