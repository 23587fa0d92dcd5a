import { appendFileSync } from 'node:fs';

/**
 * ESM resolve hook (runs on the loader thread): appends every resolved module URL to the trace file, so
 * the start-up benchmark can list which packages a command loads.
 */

let traceFile = '';

export function initialize(data: { file: string }): void {
  traceFile = data.file;
}

type NextResolve = (specifier: string, context: unknown) => Promise<{ url: string }>;

export async function resolve(specifier: string, context: unknown, nextResolve: NextResolve): Promise<{ url: string }> {
  const result = await nextResolve(specifier, context);
  appendFileSync(traceFile, result.url + '\n');
  return result;
}
