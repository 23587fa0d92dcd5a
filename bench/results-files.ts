import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '../support/paths.js';
import { DOC_PATH, LATEST_JSON, writeBenchmarksDoc } from './benchmarks-doc.js';
import { REFERENCE, SECTION_IDS, type BenchOptions } from './options.js';
import { renderMarkdown, type BenchRecord, type SectionResult } from './report.js';

/**
 * Where a run's figures go. Only a complete run replaces the committed bench/results/latest.json and
 * regenerates BENCHMARKS.md from it; quick and partial runs go to the git-ignored bench/cache/, so the
 * committed document always describes the committed JSON.
 */

/** Not quick, every section measured (none failed or skipped), at the reference frames, seed, snapshot, runs and rotated files. */
export function isComplete(o: BenchOptions, results: readonly SectionResult[]): boolean {
  const measured = new Set(results.filter((r) => r.rows.length > 0 && !r.title.endsWith(': FAILED')).map((r) => r.id));
  return (
    !o.quick &&
    SECTION_IDS.every((id) => measured.has(id)) &&
    o.frames === REFERENCE.frames &&
    o.seed === REFERENCE.seed &&
    o.snaplen === REFERENCE.snaplen &&
    o.runs === REFERENCE.runs &&
    o.rotationFiles === REFERENCE.frames / REFERENCE.rotationFrames
  );
}

/** The JSON's path: BENCH_OUT when given, else latest.json for a complete run and the cache for others. */
function jsonPath(o: BenchOptions, record: BenchRecord): string | null {
  if (o.out !== undefined) return o.out;
  if (record.complete) return LATEST_JSON;
  return join(repoRoot, 'bench', 'cache', record.quick ? 'quick.json' : 'partial.json');
}

/**
 * Writes the JSON (with the tables as Markdown next to it unless it is latest.json) and, when due, the
 * document; false when a document could not be written.
 */
export function writeResults(record: BenchRecord, o: BenchOptions, log: (line: string) => void): boolean {
  let ok = true;
  const json = jsonPath(o, record);
  if (json !== null) {
    mkdirSync(dirname(json), { recursive: true });
    writeFileSync(json, JSON.stringify(record, null, 2) + '\n');
    log(`wrote ${json}${record.complete ? '' : ` (${record.quick ? 'quick' : 'partial'} run: committed figures untouched)`}`);
    // BENCHMARKS.md carries a complete run's tables; other runs get theirs beside their JSON.
    if (json !== LATEST_JSON) {
      const markdown = json.replace(/(\.json)?$/, '.md');
      writeFileSync(markdown, renderMarkdown(record.sections, record.machine, record.elapsedSeconds, new Date(record.date)));
      log(`wrote ${markdown}`);
    }
  }
  const docs = [...(record.complete && json === LATEST_JSON ? [DOC_PATH] : []), ...(o.doc !== null ? [o.doc] : [])];
  for (const doc of docs) {
    try {
      log(`wrote ${writeBenchmarksDoc(record, doc)}`);
    } catch (error) {
      log(`${doc} not written: ${error instanceof Error ? error.message : String(error)}`);
      ok = false;
    }
  }
  return ok;
}
