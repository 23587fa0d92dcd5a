// How Peng names its InfluxDB server (from the seed's flags) and explains a failed write.

import { redactUrl } from '../redact-url.js';

/**
 * The server URL with the seed's separate port applied: `http://localhost` + 9999 gives
 * `http://localhost:9999`; a URL that names a port keeps it.
 */
export function influxServerUrl(url: string, port: number): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`invalid InfluxDB URL ${JSON.stringify(redactUrl(url))}; give one like http://localhost`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`InfluxDB URL ${JSON.stringify(redactUrl(url))} must start with http:// or https://`);
  }
  const namesPort = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^/:?#]*):\d+/i.test(url);
  if (!namesPort) parsed.port = String(port);
  return parsed.toString().replace(/\/+$/, '');
}

/** The seed's default -influxPort (InfluxDB 2 betas); released InfluxDB 2 listens on 8086. */
export const SEED_DEFAULT_PORT = 9999;

/** What a failed HTTP answer tells the user: status, the server's own message (InfluxDB's JSON `message`), a hint. */
export function describeHttpStatus(status: number, body: string): string {
  let message = body.trim();
  try {
    const parsed = JSON.parse(message) as { message?: unknown };
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // Plain text (VictoriaMetrics, proxies) is shown as it is.
  }
  message = message.replace(/\s+/g, ' ').slice(0, 300) || (STATUS_TEXT[status] ?? 'no message');
  const hint =
    status === 401 || status === 403
      ? '; check --token and that it may write to the bucket'
      : status === 404
        ? '; check --org and --bucket'
        : status === 413
          ? '; the server refuses the request size'
          : '';
  return `HTTP ${status}: ${message}${hint}`;
}

const STATUS_TEXT: Record<number, string> = { 429: 'Too Many Requests', 503: 'Service Unavailable' };

/** A transport error as one line: `connect ECONNREFUSED 127.0.0.1:9999`, `ECONNRESET: socket hang up`. */
export function describeNetworkError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = (error.message || error.name).replace(/\s+/g, ' ').trim().slice(0, 300);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

/** For a refused connection on the seed's default port: where InfluxDB 2 really listens; else ''. */
export function refusedPortHint(serverUrl: string): string {
  const url = new URL(serverUrl);
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  if (port !== SEED_DEFAULT_PORT) return '';
  return ` (InfluxDB 2 listens on 8086, not ${SEED_DEFAULT_PORT}: give -influxPort 8086 or a URL with the port)`;
}
