import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * Where and how OTLP/HTTP requests go. Peng sends the request itself rather than through the exporter
 * package because that exporter's timeout is a socket idle timeout (a peer trickling its answer holds an
 * export forever) and it counts a 2xx answered before the body was read as delivered.
 */
export interface OtlpHttpTarget {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  /** The body is gzipped (OTEL_EXPORTER_OTLP_COMPRESSION=gzip): the transport compresses, this only labels it. */
  readonly gzip: boolean;
  /** `application/x-protobuf` (http/protobuf, the default) or `application/json` (http/json). */
  readonly contentType?: string;
  /** PEM material for https (OTEL_EXPORTER_OTLP_CERTIFICATE, ..._CLIENT_CERTIFICATE, ..._CLIENT_KEY). */
  readonly tls?: { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer };
}

/** How one request ended: delivered, rejected for good (an HTTP status), or failed and worth retrying. */
export type SendOutcome =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'rejected'; readonly status: number; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string };

/** Statuses the OTLP spec says to retry. */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
/** Enough of an error answer to quote; the rest is read and discarded. */
const MAX_QUOTED_RESPONSE_BYTES = 4096;

/**
 * POSTs one OTLP body (protobuf or JSON). Never rejects and leaves no unhandled 'error': every socket failure becomes an
 * outcome. `deadlineMs` bounds the whole exchange (connect, upload, answer); `stop` ends it early.
 * Delivered means: the body was handed over completely, a 2xx answer came in whole, and the peer then
 * closed the connection cleanly (one connection per request, so a peer that answers early and resets
 * while the body was still unread is a failure, not a delivery).
 */
export function sendOtlpRequest(target: OtlpHttpTarget, body: Uint8Array, deadlineMs: number, stop?: AbortSignal): Promise<SendOutcome> {
  return new Promise<SendOutcome>((resolve) => {
    let settled = false;
    let bodySent = false;
    let status = 0;
    let answerComplete = false;
    let quoted = '';
    let responseBytes = 0;
    let req: ClientRequest | undefined;
    const finish = (outcome: SendOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
      if (outcome.kind !== 'delivered') req?.destroy();
      resolve(outcome);
    };
    const onStop = (): void => finish({ kind: 'failed', reason: 'stopped before the collector answered' });
    const timer = setTimeout(() => {
      const progress = !bodySent ? 'the request body was not taken in full' : status === 0 ? 'no answer came' : `the answer (${status}) was incomplete after ${responseBytes} bytes`;
      finish({ kind: 'failed', reason: `no complete exchange within ${deadlineMs} ms (${progress})` });
    }, deadlineMs);
    if (stop?.aborted) return onStop();
    stop?.addEventListener('abort', onStop, { once: true });

    const decide = (): void => {
      if (status !== 0 && answerComplete && (status < 200 || status > 299)) {
        const reason = `HTTP ${status}${quoted ? `: ${quoted.trim().replace(/\s+/g, ' ').slice(0, 200)}` : ''}`;
        finish(RETRYABLE_STATUSES.has(status) ? { kind: 'failed', reason } : { kind: 'rejected', status, reason });
      }
    };
    const headers: Record<string, string | number> = {
      ...target.headers,
      'content-type': target.contentType ?? 'application/x-protobuf',
      'content-length': body.byteLength,
      connection: 'close',
      ...(target.gzip ? { 'content-encoding': 'gzip' } : {}),
    };
    const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
    try {
      req = send(target.url, { method: 'POST', headers, agent: false, ...(target.tls ?? {}) });
    } catch (error) {
      return finish({ kind: 'failed', reason: describeSocketError(error) });
    }
    req.on('error', (error) => finish({ kind: 'failed', reason: describeSocketError(error) }));
    req.on('socket', (socket) => {
      // Node destroys the socket once the answer is read; half-closing instead lets a reset that follows
      // the answer still be seen (the peer closes: we sent `connection: close`). The deadline bounds the wait.
      socket.destroySoon = function halfCloseAndWaitForPeer(this: typeof socket) {
        this.end();
      };
      socket.on('error', (error) => finish({ kind: 'failed', reason: describeSocketError(error) }));
      socket.on('close', (hadError) => {
        if (!hadError && status >= 200 && status <= 299 && answerComplete && bodySent) finish({ kind: 'delivered' });
      });
    });
    req.on('response', (res: IncomingMessage) => {
      status = res.statusCode ?? 0;
      res.on('data', (chunk: Buffer) => {
        responseBytes += chunk.length;
        if (quoted.length < MAX_QUOTED_RESPONSE_BYTES) quoted += chunk.toString('utf8', 0, MAX_QUOTED_RESPONSE_BYTES - quoted.length);
      });
      res.on('error', (error) => finish({ kind: 'failed', reason: describeSocketError(error) }));
      res.on('end', () => {
        answerComplete = true;
        decide();
      });
    });
    req.on('close', () => {
      // Delivery is decided when the connection itself closes cleanly (above); this catches the rest.
      decide();
      if (status >= 200 && status <= 299 && answerComplete && bodySent) return;
      finish({ kind: 'failed', reason: status === 0 ? 'the connection closed without an answer' : `the collector answered ${status} before taking the whole request` });
    });
    req.end(body, () => {
      bodySent = true;
    });
  });
}

function describeSocketError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
}
