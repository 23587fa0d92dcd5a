// How Peng names its InfluxDB server (from the seed's flags) and explains a failed write.

import { redactUrl } from '../net/redact-url.js';

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

/** What a failed write tells the user, with the server's own message when it sent one. */
export function describeWriteError(error: Error): string {
  const status = (error as { statusCode?: unknown }).statusCode;
  const code = (error as { code?: unknown }).code;
  const message = (error.message || error.name).trim().slice(0, 300);
  if (typeof status !== 'number') return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
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

/** True when the client keeps the lines for retry (transport errors, HTTP 429 and 5xx). */
export function isRetryable(error: Error): boolean {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status !== 'number' || status >= 429;
}
