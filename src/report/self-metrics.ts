/**
 * What a run counts about itself (totals since start): logged at exit and supplied to the exporters that
 * export them. Never carried on a WindowReport, which holds what was seen on the network only.
 */
export interface SelfMetrics {
  /** Decoder totals over every interface or file. */
  frames: number;
  synPackets: number;
  malformed: number;
  /** Of the malformed frames: those of a link type Peng does not decode. */
  unsupportedLink: number;
  /** Malformed frames by reason (truncated, badHeader, tunnelTooDeep, unsupportedLink, fragmentTooShort). */
  malformedBy: Readonly<Record<string, number>>;
  /** Probes counted although a header was damaged where nothing they need was. */
  damaged: number;
  /** IP fragments seen and what reassembly made of them (overlaps, evicted and expired datagrams are evasion or floods). */
  fragments: Readonly<Record<string, number>>;
  /** Scan attribution: scanners named, sources held of the fixed capacity, evictions, ignored probes, memory. */
  scanTable: { detections: number; sources: number; capacity: number; evictions: number; suppressed: number; bytes: number };
  /** Window-clock anomalies by kind (late windows, clock steps, timestamp jumps, reordered frames). */
  clockAnomalies: Readonly<Record<string, number>>;
  /** The first invalid position a user hash returned, if any. */
  hashProblem: string | null;
  /** Frames the capture dropped before Peng saw them; undefined where the backend cannot tell. */
  captureDropped?: number;
  /** Frames whose processing threw (a bug, never a packet's fault). */
  captureConsumerErrors: number;
  /** InfluxDB lines given up (retry buffer full or rejected); undefined without the InfluxDB output. */
  influxdbDroppedLines?: number;
}

/** The increments of the exported self-metrics during one window, as a counter point carries them. */
export interface SelfMetricsIncrements {
  influxdbDroppedLines?: number;
  /** The OTLP sink's own counters since its previous window (absent on other exporters). */
  otlpExportedWindows?: number;
  /** Export requests that failed (network, timeout or rejection). */
  otlpFailedExports?: number;
  /** Windows given up: backlog full or rejected by the collector. */
  otlpDroppedWindows?: number;
}
