import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureEmptyCapture } from './generate-capture.js';
import { alternate, ratio, timeCommand } from './measure.js';
import { benchScript, type BenchOptions } from './options.js';
import { goal, type SectionResult } from './report.js';

/** Packages a replay to JSON must not load: each belongs to a sink or feature that is off. */
const HEAVY_PACKAGES = [/^@opentelemetry\//, /^@influxdata\//, /^yaml$/, /^cap$/];

/** Section 1b: start-up of `peng replay` on an empty capture against `node -e 0`, and what it loads. */
export async function startupSection(o: BenchOptions, log: (line: string) => void): Promise<SectionResult> {
  const empty = ensureEmptyCapture();
  const runs = o.quick ? 10 : 25;
  const replayArgs = [o.pengBin, 'replay', empty, '-json', '-verbose', '0'];
  log(`start-up: ${runs} alternating runs each`);
  const timings = await alternate(
    [
      { name: 'node -e 0', argv: [process.execPath, '-e', '0'] },
      { name: 'peng replay (empty capture, -json)', argv: [process.execPath, ...replayArgs] },
      { name: 'peng --version', argv: [process.execPath, o.pengBin, '--version'] },
    ],
    runs,
    () => {},
  );
  const [node, replay, version] = timings as [(typeof timings)[0], (typeof timings)[0], (typeof timings)[0]];
  const loaded = await tracePackages(replayArgs);
  const heavy = loaded.packages.filter((p) => HEAVY_PACKAGES.some((re) => re.test(p)));
  const startupRatio = replay.wallMs / node.wallMs;
  const versionRatio = version.wallMs / node.wallMs;
  return {
    id: 'startup',
    title: `Start-up (median of ${runs} alternating runs)`,
    rows: timings.map((t) => ({
      command: t.name,
      'wall ms': Math.round(t.wallMs * 10) / 10,
      'cpu ms': Math.round(t.cpuMs),
      'max RSS MiB': Math.round(t.maxRssKiB / 1024),
      'wall x node -e 0': ratio(t.wallMs, node.wallMs),
      'cpu x node -e 0': ratio(t.cpuMs, node.cpuMs),
    })),
    goals: [
      goal('peng replay of an empty capture vs node -e 0 (wall)', '<= 1.25x', `${startupRatio.toFixed(2)}x`, startupRatio <= 1.25),
      goal('peng --version vs node -e 0 (wall)', '<= 1.25x', `${versionRatio.toFixed(2)}x`, versionRatio <= 1.25),
      goal('packages of off features not loaded (OpenTelemetry, InfluxDB, YAML, cap)', 'none', heavy.length === 0 ? 'none' : heavy.join(', '), heavy.length === 0),
    ],
    notes: [
      `peng replay -json loads ${loaded.projectModules} project modules and ${loaded.packages.length} packages: ${loaded.packages.join(', ') || '(none)'}.`,
    ],
    data: { timings, loaded },
  };
}

/** Runs the command once under the module-trace preload and lists the npm packages it loaded. */
async function tracePackages(args: readonly string[]): Promise<{ packages: string[]; projectModules: number }> {
  const file = join(tmpdir(), `peng-bench-trace-${process.pid}`);
  rmSync(file, { force: true });
  try {
    await timeCommand([process.execPath, '--import', benchScript('module-trace.js'), ...args], { env: { ...process.env, PENG_BENCH_TRACE: file } });
    const lines = readFileSync(file, 'utf8').split('\n');
    const packages = new Set<string>();
    const project = new Set<string>();
    for (const line of lines) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line);
      if (m) packages.add(m[1]!);
      else if (/\/(src|bundle)\/.*\.c?js$/.test(line)) project.add(line.replace(/^file:\/\//, ''));
    }
    return { packages: [...packages].sort(), projectModules: project.size };
  } finally {
    rmSync(file, { force: true });
  }
}
