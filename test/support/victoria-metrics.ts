import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { answers, startServerProcess, type ServerProcess } from './server-process.js';

/** One series from VictoriaMetrics' `/api/v1/export`. */
export interface ExportedSeries {
  metric: Record<string, string>;
  values: number[];
  /** Milliseconds since the epoch. */
  timestamps: number[];
}

/**
 * Debian's `victoria-metrics` on 127.0.0.1, a random port and a temporary data directory. It accepts
 * InfluxDB 2's `/api/v2/write`; `stop()` and `start()` keep port and data, `close()` removes both.
 */
export class VictoriaMetrics {
  private process: ServerProcess | null = null;

  private constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly extraArgs: readonly string[],
  ) {}

  /** Base URL, e.g. http://127.0.0.1:12345 */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** `extraArgs` go to the command line as given, e.g. `-httpAuth.username=u`. */
  static async start(extraArgs: readonly string[] = []): Promise<VictoriaMetrics> {
    const vm = new VictoriaMetrics(await freePort(), await mkdtemp(join(tmpdir(), 'peng-vm-')), extraArgs);
    try {
      await vm.start();
    } catch (error) {
      await rm(vm.dataDir, { recursive: true, force: true });
      throw error;
    }
    return vm;
  }

  /** (Re)starts the server on the same port and data directory. */
  async start(): Promise<void> {
    if (this.process?.running) return;
    this.process = await startServerProcess({
      name: 'victoria-metrics',
      command: 'victoria-metrics',
      args: [
        `-httpListenAddr=127.0.0.1:${this.port}`,
        `-storageDataPath=${this.dataDir}`,
        '-retentionPeriod=100y',
        '-loggerLevel=ERROR',
        '-memory.allowedBytes=64MiB',
        ...this.extraArgs,
      ],
      ready: () => answers(`${this.url}/health`),
    });
  }

  /** Graceful stop; the port refuses connections afterwards. */
  async stop(): Promise<void> {
    await this.process?.stop();
  }

  /** Stops the server and deletes its data directory. */
  async close(): Promise<void> {
    await this.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  output(): string {
    return this.process?.output() ?? '';
  }

  /** Makes freshly ingested samples searchable at once. */
  async forceFlush(): Promise<void> {
    const response = await fetch(`${this.url}/internal/force_flush`, { signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
  }

  /** Every series matching the selector, e.g. `{__name__=~"peng_.*"}`. */
  async export(selector: string): Promise<ExportedSeries[]> {
    await this.forceFlush();
    const body = new URLSearchParams({ 'match[]': selector, start: '0' });
    const response = await fetch(`${this.url}/api/v1/export`, { method: 'POST', body, signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    if (!response.ok) throw new Error(`export failed: HTTP ${response.status}: ${text}`);
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as ExportedSeries);
  }
}
