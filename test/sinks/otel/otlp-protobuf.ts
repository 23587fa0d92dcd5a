/**
 * A small protobuf decoder for the OTLP export requests, written from opentelemetry-proto's field numbers
 * (common/v1, resource/v1, metrics/v1, logs/v1) so the tests do not trust the serializer that encoded them.
 * It yields the OTLP/JSON shape (camelCase names, 64-bit integers as decimal strings), so the receiver
 * reads both encodings the same way.
 */

type FieldKind = 'string' | 'bytes' | 'bool' | 'enum' | 'uint' | 'int64' | 'fixed64' | 'sfixed64' | 'double' | 'fixed32';
interface Field {
  name: string;
  kind: FieldKind | Schema;
  repeated?: boolean;
}
type Schema = { [number: number]: Field };

const AnyValue: Schema = {};
const KeyValue: Schema = { 1: { name: 'key', kind: 'string' }, 2: { name: 'value', kind: AnyValue } };
const ArrayValue: Schema = { 1: { name: 'values', kind: AnyValue, repeated: true } };
const KeyValueList: Schema = { 1: { name: 'values', kind: KeyValue, repeated: true } };
Object.assign(AnyValue, {
  1: { name: 'stringValue', kind: 'string' },
  2: { name: 'boolValue', kind: 'bool' },
  3: { name: 'intValue', kind: 'int64' },
  4: { name: 'doubleValue', kind: 'double' },
  5: { name: 'arrayValue', kind: ArrayValue },
  6: { name: 'kvlistValue', kind: KeyValueList },
  7: { name: 'bytesValue', kind: 'bytes' },
});
const attributes: Field = { name: 'attributes', kind: KeyValue, repeated: true };
const Resource: Schema = { 1: attributes, 2: { name: 'droppedAttributesCount', kind: 'uint' } };
const Scope: Schema = { 1: { name: 'name', kind: 'string' }, 2: { name: 'version', kind: 'string' }, 3: attributes };
const NumberDataPoint: Schema = {
  7: attributes,
  2: { name: 'startTimeUnixNano', kind: 'fixed64' },
  3: { name: 'timeUnixNano', kind: 'fixed64' },
  4: { name: 'asDouble', kind: 'double' },
  6: { name: 'asInt', kind: 'sfixed64' },
  8: { name: 'flags', kind: 'uint' },
};
const Gauge: Schema = { 1: { name: 'dataPoints', kind: NumberDataPoint, repeated: true } };
const Sum: Schema = {
  1: { name: 'dataPoints', kind: NumberDataPoint, repeated: true },
  2: { name: 'aggregationTemporality', kind: 'enum' },
  3: { name: 'isMonotonic', kind: 'bool' },
};
const Metric: Schema = {
  1: { name: 'name', kind: 'string' },
  2: { name: 'description', kind: 'string' },
  3: { name: 'unit', kind: 'string' },
  5: { name: 'gauge', kind: Gauge },
  7: { name: 'sum', kind: Sum },
};
const ScopeMetrics: Schema = { 1: { name: 'scope', kind: Scope }, 2: { name: 'metrics', kind: Metric, repeated: true }, 3: { name: 'schemaUrl', kind: 'string' } };
const ResourceMetrics: Schema = { 1: { name: 'resource', kind: Resource }, 2: { name: 'scopeMetrics', kind: ScopeMetrics, repeated: true }, 3: { name: 'schemaUrl', kind: 'string' } };
export const ExportMetricsServiceRequest: Schema = { 1: { name: 'resourceMetrics', kind: ResourceMetrics, repeated: true } };

const LogRecord: Schema = {
  1: { name: 'timeUnixNano', kind: 'fixed64' },
  11: { name: 'observedTimeUnixNano', kind: 'fixed64' },
  2: { name: 'severityNumber', kind: 'enum' },
  3: { name: 'severityText', kind: 'string' },
  5: { name: 'body', kind: AnyValue },
  6: attributes,
  7: { name: 'droppedAttributesCount', kind: 'uint' },
  8: { name: 'flags', kind: 'fixed32' },
  9: { name: 'traceId', kind: 'bytes' },
  10: { name: 'spanId', kind: 'bytes' },
  12: { name: 'eventName', kind: 'string' },
};
const ScopeLogs: Schema = { 1: { name: 'scope', kind: Scope }, 2: { name: 'logRecords', kind: LogRecord, repeated: true }, 3: { name: 'schemaUrl', kind: 'string' } };
const ResourceLogs: Schema = { 1: { name: 'resource', kind: Resource }, 2: { name: 'scopeLogs', kind: ScopeLogs, repeated: true }, 3: { name: 'schemaUrl', kind: 'string' } };
export const ExportLogsServiceRequest: Schema = { 1: { name: 'resourceLogs', kind: ResourceLogs, repeated: true } };

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer, private readonly end = buf.length) {}
  get done(): boolean {
    return this.pos >= this.end;
  }
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (this.pos >= this.end || shift > 63n) throw new Error('bad varint');
      const byte = this.buf[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
  }
  take(n: number): Buffer {
    if (this.pos + n > this.end) throw new Error('field past the end of the message');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/** Decodes one message by its schema; unknown fields are skipped by wire type, as protobuf requires. */
export function decodeMessage(buf: Buffer, schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const r = new Reader(buf);
  while (!r.done) {
    const tag = Number(r.varint());
    const number = tag >>> 3;
    const wire = tag & 7;
    const field = schema[number];
    let raw: bigint | Buffer;
    if (wire === 0) raw = r.varint();
    else if (wire === 1) raw = r.take(8);
    else if (wire === 2) raw = r.take(Number(r.varint()));
    else if (wire === 5) raw = r.take(4);
    else throw new Error(`unsupported wire type ${wire}`);
    if (!field) continue;
    const value = convert(field.kind, raw);
    if (field.repeated) ((out[field.name] ??= []) as unknown[]).push(value);
    else out[field.name] = value;
  }
  return out;
}

function convert(kind: FieldKind | Schema, raw: bigint | Buffer): unknown {
  if (typeof kind === 'object') return decodeMessage(raw as Buffer, kind);
  switch (kind) {
    case 'string':
      return (raw as Buffer).toString('utf8');
    case 'bytes':
      return (raw as Buffer).toString('hex');
    case 'bool':
      return raw !== 0n;
    case 'enum':
    case 'uint':
      return Number(raw as bigint);
    case 'int64':
      return BigInt.asIntN(64, raw as bigint).toString();
    case 'fixed64':
      return (raw as Buffer).readBigUInt64LE().toString();
    case 'sfixed64':
      return (raw as Buffer).readBigInt64LE().toString();
    case 'double':
      return (raw as Buffer).readDoubleLE();
    case 'fixed32':
      return (raw as Buffer).readUInt32LE();
  }
}
