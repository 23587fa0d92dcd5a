import type { HrTime } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ScanReport } from '../../report/scan-report.js';
import type { WindowReport } from '../../report/window-report.js';
import { PENG_VERSION } from '../../version.js';
import type { OtlpTransport } from './otlp-transport.js';
import { ATTR_NETWORK_INTERFACE_NAME, PENG_SCOPE_NAME, type WindowSourceAttribute } from './semconv.js';

/** The event name of a detection (an OpenTelemetry log record with an event name). */
export const SCAN_EVENT_NAME = 'peng.scan.detected';
/** Detections kept while the collector is away; a few per window at most, so an hour of them fits easily. */
const MAX_PENDING_EVENTS = 1000;

function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, (ms - seconds * 1000) * 1_000_000];
}

/**
 * Each newly named scanner becomes one OTLP log record (event `peng.scan.detected`) with the source, the
 * destination counts, kinds and times, sent to the logs endpoint with the same settings as the metrics.
 * Pending events are bounded; what is dropped or undelivered is counted.
 */
export class ScanEventExporter {
  private pending: ReadableLogRecord[] = [];
  private dropped = 0;
  private delivered = 0;

  constructor(
    private readonly transport: OtlpTransport,
    private readonly resource: Resource,
    private readonly sourceAttribute: WindowSourceAttribute = ATTR_NETWORK_INTERFACE_NAME,
  ) {}

  /** Queues one record per scanner the window names for the first time. */
  add(report: WindowReport): void {
    for (const scan of report.scans ?? []) {
      if (!scan.new) continue;
      if (this.pending.length >= MAX_PENDING_EVENTS) {
        this.pending.shift();
        this.dropped++;
      }
      this.pending.push(this.record(report, scan));
    }
  }

  get queued(): number {
    return this.pending.length;
  }

  /** Events given up (queue full) plus, after close, those never delivered. */
  lost(closed: boolean): number {
    return this.dropped + (closed ? this.pending.length : 0);
  }

  /** Sends what is pending in one request; kept for the next try on failure, dropped and counted when rejected. */
  async send(deadlineMs: number, stop?: AbortSignal): Promise<string | null> {
    if (this.pending.length === 0) return null;
    const batch = this.pending;
    const serializer = this.transport.protocol === 'http/json' ? JsonLogsSerializer : ProtobufLogsSerializer;
    const body = serializer.serializeRequest(batch);
    if (!body) return 'the events could not be serialised';
    const outcome = await this.transport.send(body, deadlineMs, stop);
    if (outcome.kind === 'failed') return outcome.reason;
    this.pending = this.pending.slice(batch.length);
    if (outcome.kind === 'rejected') {
      this.dropped += batch.length;
      return outcome.reason;
    }
    this.delivered += batch.length;
    return null;
  }

  private record(report: WindowReport, scan: ScanReport): ReadableLogRecord {
    const at = hrTime(scan.detectedAt.getTime());
    return {
      hrTime: at,
      hrTimeObserved: hrTime(report.end.getTime()),
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      eventName: SCAN_EVENT_NAME,
      body: `port scan: ${scan.source} -> ${scan.ports} port(s) on ${scan.hosts} host(s) (${scan.kinds.join(',')}; ${scan.reason})`,
      resource: this.resource,
      instrumentationScope: { name: PENG_SCOPE_NAME, version: PENG_VERSION },
      attributes: {
        'source.address': scan.source,
        [this.sourceAttribute]: report.interface,
        'peng.scan.direction': scan.direction,
        'peng.scan.reason': scan.reason,
        'peng.scan.kinds': scan.kinds,
        'peng.scan.ports': scan.ports,
        'peng.scan.hosts': scan.hosts,
        'peng.scan.probes': scan.probes,
        'peng.scan.first_seen': scan.firstSeen.toISOString(),
        'peng.scan.last_seen': scan.lastSeen.toISOString(),
      },
      droppedAttributesCount: 0,
    };
  }
}
