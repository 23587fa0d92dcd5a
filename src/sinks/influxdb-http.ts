// One POST to InfluxDB 2's /api/v2/write, bounded by a deadline, turned into an outcome (never a rejection).
import http from 'node:http';
import https from 'node:https';
import { describeHttpStatus, describeNetworkError } from './influxdb-server.js';

/** What one write request came to: the lines are written, refused for good, or worth retrying. */
export type WriteOutcome =
  | { readonly kind: 'written' }
  | { readonly kind: 'rejected'; readonly reason: string }
  | {
      readonly kind: 'retry';
      readonly reason: string;
      /** The server's Retry-After, in milliseconds; null when it sent none. */
      readonly retryAfterMs: number | null;
      /** True when the connection was refused (nothing listens on the port). */
      readonly refused: boolean;
    };

export interface WriteTarget {
  /** Server URL as influxServerUrl gives it (may carry a path prefix, e.g. behind a proxy). */
  readonly serverUrl: string;
  readonly org: string;
  readonly bucket: string;
  readonly token: string;
}

/** The longest error text kept from a response body. */
const MAX_ERROR_BODY = 4096;

/** A keep-alive agent with a single socket: the writer sends one request at a time, so one connection is all it needs. */
export function createWriteAgent(serverUrl: string): http.Agent {
  const options: http.AgentOptions = { keepAlive: true, maxSockets: 1, maxFreeSockets: 1, scheduling: 'lifo' };
  return new URL(serverUrl).protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
}

/** The write endpoint of `target` at nanosecond precision. */
export function writeUrl(target: WriteTarget): URL {
  const url = new URL(target.serverUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v2/write`;
  url.search = new URLSearchParams({ org: target.org, bucket: target.bucket, precision: 'ns' }).toString();
  return url;
}

/**
 * POSTs `body` (newline-separated lines) and resolves to its outcome. The whole exchange, body of the
 * answer included, must finish within `timeoutMs` (a trickling server cannot hold the connection), and
 * `signal` aborts it (shutdown). 2xx = written; 429, 408, 5xx and network errors = retry; other 4xx = rejected.
 */
export function postLines(target: WriteTarget, body: string, agent: http.Agent, timeoutMs: number, signal?: AbortSignal): Promise<WriteOutcome> {
  return new Promise<WriteOutcome>((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: WriteOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const url = writeUrl(target);
    const payload = Buffer.from(body, 'utf8');
    let request: http.ClientRequest;
    try {
      request = (url.protocol === 'https:' ? https : http).request(url, {
        method: 'POST',
        agent,
        headers: {
          Authorization: `Token ${target.token}`,
          'Content-Type': 'text/plain; charset=utf-8',
          'Content-Length': payload.length,
          Accept: 'application/json',
        },
      });
    } catch (error) {
      // A header Node cannot send (a token the configuration did not check): retrying cannot help.
      finish({ kind: 'rejected', reason: describeNetworkError(error as Error) });
      return;
    }
    const onAbort = (): void => void request.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    timer = setTimeout(() => request.destroy(new Error(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
    request.on('error', (error) => finish({ kind: 'retry', reason: describeNetworkError(error), retryAfterMs: null, refused: (error as NodeJS.ErrnoException).code === 'ECONNREFUSED' }));
    // Whatever else happens, a closed exchange settles the outcome (finish ignores all but the first).
    request.on('close', () => setImmediate(() => finish({ kind: 'retry', reason: 'the connection closed before an answer', retryAfterMs: null, refused: false })));
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      response.on('close', () => {
        if (!response.complete) finish({ kind: 'retry', reason: `HTTP ${status}: the connection closed before the answer was complete`, retryAfterMs: null, refused: false });
      });
      const chunks: Buffer[] = [];
      let kept = 0;
      response.on('data', (chunk: Buffer) => {
        if (kept >= MAX_ERROR_BODY) return;
        chunks.push(chunk);
        kept += chunk.length;
      });
      response.on('error', (error) => finish({ kind: 'retry', reason: describeNetworkError(error), retryAfterMs: null, refused: false }));
      response.on('end', () => {
        if (status >= 200 && status < 300) return finish({ kind: 'written' });
        const reason = describeHttpStatus(status, Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY).toString('utf8'));
        if (status === 408 || status === 429 || status >= 500) {
          finish({ kind: 'retry', reason, retryAfterMs: parseRetryAfter(response.headers['retry-after']), refused: false });
        } else {
          finish({ kind: 'rejected', reason });
        }
      });
    });
    request.end(payload);
  });
}

/**
 * Retry-After in milliseconds: delta-seconds (`3` = 3 s) or an HTTP-date (RFC 9110 §10.2.3); null when
 * absent or unreadable. A date in the past gives 0.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Math.min(Number(text), 365 * 24 * 3600) * 1000;
  if (!/[a-z]/i.test(text)) return null;
  const date = Date.parse(text);
  return Number.isFinite(date) ? Math.max(0, date - now) : null;
}
