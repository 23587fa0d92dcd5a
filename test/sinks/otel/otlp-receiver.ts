import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { decodeMessage, ExportLogsServiceRequest, ExportMetricsServiceRequest } from './otlp-protobuf.js';

/** An OTLP/JSON AnyValue, only the kinds Peng sends. */
interface JsonAnyValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
}
interface JsonKeyValue {
  key: string;
  value: JsonAnyValue;
}
interface JsonNumberDataPoint {
  attributes?: JsonKeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  asDouble?: number;
  asInt?: number | string;
}
interface JsonMetric {
  name: string;
  unit?: string;
  gauge?: { dataPoints: JsonNumberDataPoint[] };
  sum?: { dataPoints: JsonNumberDataPoint[]; aggregationTemporality?: number; isMonotonic?: boolean };
}
interface JsonExportRequest {
  resourceMetrics?: {
    resource?: { attributes?: JsonKeyValue[] };
    scopeMetrics?: { scope?: { name?: string; version?: string }; metrics?: JsonMetric[] }[];
  }[];
}

/** One data point as received, flattened with its metric and resource. */
export interface ReceivedPoint {
  metric: string;
  kind: 'gauge' | 'sum';
  unit: string;
  scope: string;
  iface: string;
  /** Every data-point attribute, the interface included. */
  attributes: Record<string, string>;
  start: string;
  time: string;
  value: number;
  request: number;
  resource: Record<string, string>;
  temporality?: number;
}

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  url: string;
  body: JsonExportRequest;
  /** Size of the body on the wire. */
  bytes: number;
  /** How it arrived: the body's encoding (HTTP) or gRPC. */
  protocol: 'http/json' | 'http/protobuf' | 'grpc';
}

/** Decodes an OTLP request body (protobuf by the path's signal) into the OTLP/JSON shape. */
function decodeProtobuf(raw: Buffer, logs: boolean): JsonExportRequest {
  return decodeMessage(raw, logs ? ExportLogsServiceRequest : ExportMetricsServiceRequest) as JsonExportRequest;
}

const identity = (bytes: Buffer): Buffer => bytes;
/** The two collector services, with bodies left as bytes (the test decodes them itself). */
function exportService(signal: 'metrics' | 'logs'): grpc.ServiceDefinition {
  const path = signal === 'metrics' ? '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export' : '/opentelemetry.proto.collector.logs.v1.LogsService/Export';
  return {
    Export: { path, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
  };
}

function attributeMap(list: JsonKeyValue[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, value } of list ?? []) out[key] = String(value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue);
  return out;
}

/** A loopback OTLP/HTTP receiver that decodes the JSON the exporter sends (no collector package exists here). */
export class OtlpReceiver {
  readonly requests: ReceivedRequest[] = [];
  private server: Server | undefined;
  port = 0;
  /** Status to answer with; 200 accepts, anything else is a rejection by the "collector". */
  status = 200;
  /** Like the Collector's `max_request_body_size` (20 MiB by default): larger bodies get 413, unread. */
  maxBodyBytes = Infinity;
  /** Bodies refused with 413. */
  tooLarge = 0;

  /** Listens on 127.0.0.1, on `port` or any free one. */
  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => {
      if (Number(req.headers['content-length']) > this.maxBodyBytes) {
        this.tooLarge++;
        res.writeHead(413, { connection: 'close', 'content-type': 'text/plain' }).end('request body too large');
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body: JsonExportRequest;
        const wire = Buffer.concat(chunks);
        const json = /application\/json/.test(req.headers['content-type'] ?? '');
        try {
          const raw = req.headers['content-encoding'] === 'gzip' ? gunzipSync(wire) : wire;
          body = json ? (JSON.parse(raw.toString('utf8')) as JsonExportRequest) : decodeProtobuf(raw, (req.url ?? '').endsWith('/v1/logs'));
        } catch {
          res.writeHead(400).end(json ? 'not JSON' : 'not OTLP protobuf');
          return;
        }
        if (this.status !== 200) {
          res.writeHead(this.status, { 'content-type': 'text/plain' }).end('rejected by test receiver');
          return;
        }
        this.requests.push({ headers: req.headers, url: req.url ?? '', body, bytes: wire.length, protocol: json ? 'http/json' : 'http/protobuf' });
        // An empty ExportServiceResponse: `{}` in JSON, zero bytes in protobuf.
        if (json) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private grpcServer: grpc.Server | undefined;
  /** gRPC status to answer with; OK accepts. */
  grpcStatus: grpc.status = grpc.status.OK;

  /** Serves OTLP/gRPC (both Export services) on 127.0.0.1, on `port` or any free one; `endpoint` then names it. */
  async startGrpc(port = 0): Promise<void> {
    const server = new grpc.Server();
    for (const signal of ['metrics', 'logs'] as const) {
      const service = exportService(signal);
      server.addService(service, {
        Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
          if (this.grpcStatus !== grpc.status.OK) return callback({ code: this.grpcStatus, details: 'rejected by test receiver' });
          const headers: IncomingHttpHeaders = {};
          for (const [key, value] of Object.entries(call.metadata.getMap())) headers[key] = String(value);
          this.requests.push({ headers, url: service.Export!.path, body: decodeProtobuf(call.request, signal === 'logs'), bytes: call.request.length, protocol: 'grpc' });
          callback(null, Buffer.alloc(0));
        },
      });
    }
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    this.grpcServer = server;
  }

  async stop(): Promise<void> {
    const grpcServer = this.grpcServer;
    this.grpcServer = undefined;
    grpcServer?.forceShutdown();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Every data point received so far, in arrival order. */
  points(): ReceivedPoint[] {
    const out: ReceivedPoint[] = [];
    this.requests.forEach(({ body }, request) => {
      for (const rm of body.resourceMetrics ?? []) {
        const resource = attributeMap(rm.resource?.attributes);
        for (const sm of rm.scopeMetrics ?? []) {
          for (const metric of sm.metrics ?? []) {
            const kind = metric.gauge ? 'gauge' : 'sum';
            for (const p of (metric.gauge ?? metric.sum)?.dataPoints ?? []) {
              out.push({
                metric: metric.name,
                kind,
                unit: metric.unit ?? '',
                scope: sm.scope?.name ?? '',
                iface: attributeMap(p.attributes)['network.interface.name'] ?? '',
                attributes: attributeMap(p.attributes),
                start: p.startTimeUnixNano ?? '',
                time: p.timeUnixNano ?? '',
                value: Number(p.asDouble ?? p.asInt),
                request,
                resource,
                temporality: metric.sum?.aggregationTemporality,
              });
            }
          }
        }
      }
    });
    return out;
  }
}
