import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/log.js';
import { createInfluxDbSink, type InfluxDbSinkOptions } from '../../src/sinks/influxdb-sink.js';
import { FaultHttpServer, type FaultHandler } from '../support/fault-http-server.js';
import { seedWindowReport as windowReport } from '../support/reports.js';

function logCollector(): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger({ telegraf: true, write: (t) => lines.push(t.trimEnd()) }) };
}

function options(server: FaultHttpServer, extra: Partial<InfluxDbSinkOptions>): InfluxDbSinkOptions {
  return { url: server.url, port: 1, org: 'o', bucket: 'b', token: 't', host: 'h', ...extra };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `body` against a fault server and always closes the server. */
async function withServer(handler: FaultHandler, body: (server: FaultHttpServer) => Promise<void>): Promise<void> {
  const server = await FaultHttpServer.start(handler);
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

/** Gaps between consecutive requests as the server received them, in ms. */
function gaps(server: FaultHttpServer): number[] {
  return server.requests.slice(1).map((r, i) => r.at - server.requests[i]!.at);
}

test('429 with Retry-After: 1 is honoured in seconds: one retry loop, about one request per second, nothing lost', { timeout: 30_000 }, async () => {
  let throttleUntil = Date.now() + 3_500;
  await withServer(
    (_req, res) => {
      if (Date.now() < throttleUntil) res.writeHead(429, { 'Retry-After': '1' }).end('{"code":"too many requests","message":"slow down"}');
      else res.writeHead(204).end();
    },
    async (server) => {
      const { lines, log } = logCollector();
      const sink = await createInfluxDbSink(options(server, { log, retry: { minDelayMs: 50, maxDelayMs: 100 } }));
      const total = 40;
      let requestsWhileThrottled = 0;
      try {
        // A window every 100 ms: under the old client each one started its own retry loop at ~3 ms.
        for (let i = 0; i < total; i++) {
          sink.write(windowReport({ endMs: Date.UTC(2024, 3, 1) + i * 1000 }));
          await sleep(100);
        }
        requestsWhileThrottled = server.requests.length;
        throttleUntil = 0;
        await sink.close();
      } finally {
        await sink.close();
      }
      assert.ok(requestsWhileThrottled <= 5, `${requestsWhileThrottled} requests in 4 s: ${gaps(server).join(', ')} ms apart`);
      for (const gap of gaps(server)) assert.ok(gap >= 950, `a retry came ${gap} ms after a Retry-After: 1 (all gaps ${gaps(server).join(', ')})`);
      assert.equal(sink.writtenLines, total);
      assert.equal(sink.droppedLines, 0);
      assert.equal(new Set(server.lines()).size, total);
      assert.equal(lines.filter((l) => /cannot write to InfluxDB/.test(l)).length, 1, lines.join('\n'));
      assert.match(lines[0]!, /^W! cannot write to InfluxDB at \S+: HTTP 429: slow down; keeping up to 10000 lines and retrying$/);
    },
  );
});

test('503 with Retry-After as an HTTP-date waits until that date', { timeout: 20_000 }, async () => {
  await withServer(
    (_req, res, index) => {
      // HTTP-dates have one-second resolution: 3 s ahead is at least 2 s from now.
      if (index === 0) res.writeHead(503, { 'Retry-After': new Date(Date.now() + 3_000).toUTCString() }).end('busy');
      else res.writeHead(204).end();
    },
    async (server) => {
      const sink = await createInfluxDbSink(options(server, { retry: { minDelayMs: 50, maxDelayMs: 100 } }));
      sink.write(windowReport({ endMs: Date.UTC(2024, 3, 2) }));
      const deadline = Date.now() + 10_000;
      while (sink.writtenLines === 0 && Date.now() < deadline) await sleep(50);
      await sink.close();
      assert.equal(server.requests.length, 2);
      assert.ok(gaps(server)[0]! >= 1_950, `retried after ${gaps(server)[0]} ms`);
      assert.equal(sink.writtenLines, 1);
    },
  );
});

test('a server that never answers: one request and one connection at a time, the buffer stays bounded, every line counted', { timeout: 30_000 }, async () => {
  await withServer(
    () => {
      // Reads the request and never answers.
    },
    async (server) => {
      const { lines, log } = logCollector();
      const sink = await createInfluxDbSink(options(server, { log, requestTimeoutMs: 400, closeTimeoutMs: 1_000, retry: { minDelayMs: 100, maxDelayMs: 200 } }));
      const total = 30_000;
      // A replay's pace: all windows at once (the old client opened one request per window: 2 002 in flight).
      for (let i = 0; i < total; i++) sink.write(windowReport({ endMs: Date.UTC(2024, 3, 3) + i * 60_000 }));
      await sleep(2_000);
      assert.ok(server.maxOpenConnections <= 1, `${server.maxOpenConnections} connections open at once`);
      assert.ok(server.requests.length <= 2_000 / (400 + 50) + 1, `${server.requests.length} requests in 2 s`);
      assert.equal(sink.pendingLines, 10_000, 'the buffer holds its 10 000 lines, no more');
      await sink.close();
      await server.waitForNoConnections();
      assert.equal(sink.droppedLines, total);
      assert.equal(sink.writtenLines, 0);
      // Each request carried at most one batch (5 000 lines of ~150 bytes): bytes sent are bounded by requests, not windows.
      assert.ok(server.bytesReceived <= server.requests.length * 5_000 * 200 + 5_000 * 200, `${server.bytesReceived} bytes received`);
      const errors = lines.filter((l) => l.startsWith('E! '));
      assert.equal(errors.length, 1, lines.join('\n'));
      assert.match(errors[0]!, /^E! 10000 line\(s\) could not be written to InfluxDB at \S+ before shutdown \(last error: no (complete )?answer within \d+ ms( of shutdown)?\)$/);
      assert.ok(lines.some((l) => /^W! InfluxDB buffer is full \(10000 lines\)/.test(l)));
    },
  );
});

test('a trickling server cannot hold connections: each request ends at its deadline and the next reuses one slot', { timeout: 30_000 }, async () => {
  let serverRef: FaultHttpServer | null = null;
  await withServer(
    (_req, res) => serverRef!.trickle(res, 100),
    async (server) => {
      serverRef = server;
      const { lines, log } = logCollector();
      const sink = await createInfluxDbSink(options(server, { log, requestTimeoutMs: 300, closeTimeoutMs: 500, retry: { minDelayMs: 100, maxDelayMs: 200 } }));
      const total = 40;
      // Live pace: a window every 75 ms for 3 s (the old client leaked one connection per window until EMFILE).
      for (let i = 0; i < total; i++) {
        sink.write(windowReport({ endMs: Date.UTC(2024, 3, 4) + i * 1000 }));
        await sleep(75);
        assert.ok(server.openConnections <= 1, `${server.openConnections} connections open at window ${i}`);
      }
      await sink.close();
      await server.waitForNoConnections();
      assert.ok(server.maxOpenConnections <= 1, `${server.maxOpenConnections} connections open at once`);
      assert.ok(server.connectionsTotal < total / 2, `${server.connectionsTotal} connections for ${total} windows`);
      assert.equal(sink.droppedLines, total);
      assert.equal(lines.filter((l) => l.startsWith('W! cannot write')).length, 1, lines.join('\n'));
      assert.match(lines.at(-1)!, /^E! 40 line\(s\) could not be written to InfluxDB at \S+ before shutdown \(last error: no (complete )?answer within \d+ ms( of shutdown)?\)$/);
    },
  );
});

test('a token an HTTP header cannot carry is refused when the sink is created, never sent', async () => {
  await withServer(
    (_req, res) => res.writeHead(204).end(),
    async (server) => {
      await assert.rejects(createInfluxDbSink(options(server, { token: 'abc\r' })), /^Error: the InfluxDB token contains a character an HTTP header cannot carry .*; remove it$/);
      assert.equal(server.requests.length, 0);
    },
  );
});

test('requests carry the token, org, bucket and ns precision; lines of one tick share one request', async () => {
  await withServer(
    (_req, res) => res.writeHead(204).end(),
    async (server) => {
      const sink = await createInfluxDbSink(options(server, { url: `${server.url}/proxy/influx/`, token: 'tok en', org: 'my org', bucket: 'b&1' }));
      sink.write(windowReport({ endMs: Date.UTC(2024, 3, 5), interface: 'eth0' }));
      sink.write(windowReport({ endMs: Date.UTC(2024, 3, 5), interface: 'eth1' }));
      await sink.close();
      assert.equal(server.requests.length, 1);
      const [request] = server.requests;
      assert.equal(request!.authorization, 'Token tok en');
      const url = new URL(request!.url, server.url);
      assert.equal(url.pathname, '/proxy/influx/api/v2/write');
      assert.deepEqual(Object.fromEntries(url.searchParams), { org: 'my org', bucket: 'b&1', precision: 'ns' });
      assert.equal(server.lines().length, 2);
      assert.equal(sink.writtenLines, 2);
    },
  );
});
