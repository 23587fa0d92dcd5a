import * as grpc from '@grpc/grpc-js';
import type { OtlpHttpTarget, SendOutcome } from './otlp-http-sender.js';
import type { OtlpSignal, OtlpTransport } from './otlp-transport.js';

/** The collector services' unary Export methods (opentelemetry-proto, collector/*\/v1/*_service.proto). */
const EXPORT_METHODS: Record<OtlpSignal, string> = {
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
};

/** Codes the OTLP spec says to retry (RESOURCE_EXHAUSTED only with retry info; Peng retries it like HTTP 429). */
const RETRYABLE = new Set<number>([
  grpc.status.CANCELLED,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.RESOURCE_EXHAUSTED,
  grpc.status.ABORTED,
  grpc.status.OUT_OF_RANGE,
  grpc.status.UNAVAILABLE,
  grpc.status.DATA_LOSS,
]);

const identity = (bytes: Buffer): Buffer => bytes;

/**
 * OTLP/gRPC with one channel per signal; each Export call has its own deadline (the whole exchange) and is
 * cancelled when `stop` fires. The request body is the same protobuf as http/protobuf, so no .proto is loaded:
 * grpc-js frames the bytes as they are. A broken connection is a failed call (UNAVAILABLE), never a crash,
 * and the channel reconnects on the next call.
 */
export function createGrpcTransport(signal: OtlpSignal, target: OtlpHttpTarget): OtlpTransport {
  const { url } = target;
  const secure = url.protocol === 'https:';
  const port = url.port || (secure ? '443' : '80');
  const address = `${url.hostname.includes(':') && !url.hostname.startsWith('[') ? `[${url.hostname}]` : url.hostname}:${port}`;
  const credentials = secure
    ? grpc.credentials.createSsl(target.tls?.ca ?? null, target.tls?.key ?? null, target.tls?.cert ?? null)
    : grpc.credentials.createInsecure();
  const channelOptions = target.gzip ? { 'grpc.default_compression_algorithm': grpc.compressionAlgorithms.gzip } : {};
  let client: grpc.Client | undefined;
  const method = EXPORT_METHODS[signal];
  return {
    protocol: 'grpc',
    send(body, deadlineMs, stop) {
      return new Promise<SendOutcome>((resolve) => {
        let settled = false;
        let call: grpc.ClientUnaryCall | undefined;
        const finish = (outcome: SendOutcome): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          stop?.removeEventListener('abort', onStop);
          if (outcome.kind !== 'delivered') call?.cancel();
          resolve(outcome);
        };
        const onStop = (): void => finish({ kind: 'failed', reason: 'stopped before the collector answered' });
        // grpc-js enforces the deadline too; this timer only guarantees it whatever happens inside.
        const timer = setTimeout(() => finish({ kind: 'failed', reason: `no answer within ${deadlineMs} ms (gRPC)` }), deadlineMs + 50);
        if (stop?.aborted) return onStop();
        stop?.addEventListener('abort', onStop, { once: true });
        const metadata = new grpc.Metadata();
        for (const [key, value] of Object.entries(target.headers)) {
          try {
            metadata.set(key.toLowerCase(), value);
          } catch {
            // a header name gRPC cannot carry (e.g. with upper-case-only rules violated) is skipped
          }
        }
        try {
          // A channel that failed to connect waits out grpc-js' reconnect backoff and fails calls at once
          // meanwhile; the next window deserves a fresh attempt, so a failed channel is replaced.
          client ??= new grpc.Client(address, credentials, channelOptions);
          const used = client;
          call = used.makeUnaryRequest<Buffer, Buffer>(
            method,
            identity,
            identity,
            Buffer.from(body.buffer, body.byteOffset, body.byteLength),
            metadata,
            { deadline: Date.now() + deadlineMs },
            (error) => {
              if (!error) return finish({ kind: 'delivered' });
              if (error.code === grpc.status.UNAVAILABLE && client === used) {
                client = undefined;
                used.close();
              }
              const reason = `gRPC ${grpc.status[error.code] ?? error.code}: ${error.details || error.message}`;
              finish(RETRYABLE.has(error.code) ? { kind: 'failed', reason } : { kind: 'rejected', status: error.code, reason });
            },
          );
        } catch (error) {
          finish({ kind: 'failed', reason: (error as Error).message });
        }
      });
    },
    close() {
      client?.close();
      client = undefined;
    },
  };
}
