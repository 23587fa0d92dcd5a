// Peng's public face: re-exports only.
export { Bitmap, PortBitmap, binEntropy, checkShape, defaultPortHash, validateHash, MAX_SIZE } from './engine/index.js';
export type { PortHash, PortBitmapOptions, BitmapSummary } from './engine/index.js';
export { decodeSyn } from './packets/decode-syn.js';
export { createSynRecord, DecodeResult, LinkType, type SynRecord } from './packets/syn-record.js';
export { Detector, type DetectorOptions, type Direction } from './detector/detector.js';
export { LocalAddresses } from './net/local-addresses.js';
export type { WindowReport, DirectionReport, CaptureCounters } from './report/window-report.js';
export type { FrameConsumer } from './packets/frame-consumer.js';
export { readCaptureFile, CaptureFileError, type CaptureFileSummary } from './sources/capture-file/capture-file.js';
export type { Sink } from './sinks/sink.js';
export { windowToLine } from './sinks/line-protocol.js';
export { PengMetrics, type PengMetricsConfig } from './sinks/otel/peng-metrics.js';
