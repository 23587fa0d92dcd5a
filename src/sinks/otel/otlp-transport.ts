import { gzipSync } from 'node:zlib';
import type { OtlpProtocol } from './otlp-config.js';
import { sendOtlpRequest, type OtlpHttpTarget, type SendOutcome } from './otlp-http-sender.js';

/** The two OTLP signals Peng sends. */
export type OtlpSignal = 'metrics' | 'logs';

/**
 * One OTLP destination whatever the transport: `send` never rejects, `deadlineMs` bounds the whole exchange
 * and `stop` ends it early; the outcome says delivered, rejected for good, or failed and worth retrying.
 */
export interface OtlpTransport {
  readonly protocol: OtlpProtocol;
  send(body: Uint8Array, deadlineMs: number, stop?: AbortSignal): Promise<SendOutcome>;
  /** Releases the connection (gRPC keeps one channel); HTTP has nothing to release. */
  close(): void;
}

/**
 * The transport for one signal. HTTP (protobuf or JSON) uses Peng's own sender; gRPC loads `@grpc/grpc-js`
 * only here, on first use, so the HTTP paths never pay for it.
 */
export function createOtlpTransport(protocol: OtlpProtocol, signal: OtlpSignal, target: OtlpHttpTarget): OtlpTransport {
  if (protocol !== 'grpc') {
    const http: OtlpHttpTarget = { ...target, contentType: protocol === 'http/json' ? 'application/json' : 'application/x-protobuf' };
    // Compression belongs to the transport: gRPC compresses in its own framing, the console prints plain JSON.
    return { protocol, send: (body, deadlineMs, stop) => sendOtlpRequest(http, target.gzip ? gzipSync(body) : body, deadlineMs, stop), close: () => undefined };
  }
  let grpc: Promise<OtlpTransport> | undefined;
  let closed = false;
  let loaded: OtlpTransport | undefined;
  const load = (): Promise<OtlpTransport> =>
    (grpc ??= import('./otlp-grpc-sender.js').then(({ createGrpcTransport }) => {
      loaded = createGrpcTransport(signal, target);
      if (closed) loaded.close();
      return loaded;
    }));
  return {
    protocol,
    async send(body, deadlineMs, stop) {
      const started = Date.now();
      let transport: OtlpTransport;
      try {
        transport = await load();
      } catch (error) {
        return { kind: 'failed', reason: `cannot load @grpc/grpc-js: ${(error as Error).message}` };
      }
      return transport.send(body, Math.max(1, deadlineMs - (Date.now() - started)), stop);
    },
    close() {
      closed = true;
      loaded?.close();
    },
  };
}

/** The console exporter: each request, as OTLP/JSON, is one line on `out`; always delivered. */
export function createConsoleTransport(out: (line: string) => void): OtlpTransport {
  const decoder = new TextDecoder();
  return {
    protocol: 'http/json',
    send(body) {
      out(decoder.decode(body));
      return Promise.resolve({ kind: 'delivered' });
    },
    close: () => undefined,
  };
}
