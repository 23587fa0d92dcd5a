import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { answers, startServerProcess, type ServerProcess } from './server-process.js';

/** Result of an InfluxQL query: the first statement's series. */
export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

/**
 * Debian's `influxd` (InfluxDB 1.x) with a generated configuration: HTTP and RPC on random loopback
 * ports, data in a temporary directory, reporting and the internal monitor off.
 */
export class Influxd {
  private constructor(
    private readonly process: ServerProcess,
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<Influxd> {
    const dir = await mkdtemp(join(tmpdir(), 'peng-influxd-'));
    try {
      const [httpPort, rpcPort] = [await freePort(), await freePort()];
      const config = join(dir, 'influxd.conf');
      await writeFile(
        config,
        [
          'reporting-enabled = false',
          `bind-address = "127.0.0.1:${rpcPort}"`,
          '[meta]',
          `  dir = "${join(dir, 'meta')}"`,
          '[data]',
          `  dir = "${join(dir, 'data')}"`,
          `  wal-dir = "${join(dir, 'wal')}"`,
          '  query-log-enabled = false',
          '[monitor]',
          '  store-enabled = false',
          '[http]',
          `  bind-address = "127.0.0.1:${httpPort}"`,
          '  log-enabled = false',
          '[logging]',
          '  level = "error"',
          '  suppress-logo = true',
          '[continuous_queries]',
          '  enabled = false',
          '[subscriber]',
          '  enabled = false',
          '',
        ].join('\n'),
      );
      const process = await startServerProcess({
        name: 'influxd',
        command: 'influxd',
        args: ['run', '-config', config],
        ready: () => answers(`http://127.0.0.1:${httpPort}/ping`, 204),
      });
      return new Influxd(process, httpPort, dir);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  async createDatabase(db: string): Promise<void> {
    await this.query(null, `CREATE DATABASE "${db}"`);
  }

  /** POST /write; returns the status and the server's error text (empty on 204). */
  async write(db: string, body: string): Promise<{ status: number; error: string }> {
    const response = await fetch(`${this.url}/write?db=${encodeURIComponent(db)}&precision=ns`, {
      method: 'POST',
      body,
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, error: await response.text() };
  }

  /** Runs one InfluxQL statement and returns its series (empty when none). */
  async query(db: string | null, q: string): Promise<InfluxSeries[]> {
    const params = new URLSearchParams({ q, epoch: 'ms' });
    if (db) params.set('db', db);
    const response = await fetch(`${this.url}/query`, { method: 'POST', body: params, signal: AbortSignal.timeout(10_000) });
    const json = (await response.json()) as { results?: { series?: InfluxSeries[]; error?: string }[]; error?: string };
    const first = json.results?.[0];
    if (!response.ok || json.error || first?.error) throw new Error(`query ${q} failed: ${json.error ?? first?.error ?? response.status}`);
    return first?.series ?? [];
  }

  async close(): Promise<void> {
    await this.process.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
