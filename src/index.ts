// Peng's public face: re-exports only.
export { Bitmap, PortBitmap, binEntropy, checkShape, defaultPortHash, validateHash, MAX_SIZE } from './engine/index.js';
export type { PortHash, PortBitmapOptions, BitmapSummary } from './engine/index.js';
export { decodeSyn } from './packets/decode-syn.js';
export { createSynRecord, DecodeResult, LinkType, type SynRecord } from './packets/syn-record.js';
export { Detector, type DetectorOptions, type DetectorTotals } from './detector/detector.js';
export { PacketTimeWindows, type PacketTimeAnomalies } from './windows/packet-time-windows.js';
export { WallClockWindows, wallClockConsumer } from './windows/wall-clock-windows.js';
export type { WindowTarget } from './windows/window-target.js';
export { LocalAddresses } from './net/local-addresses.js';
export type { WindowReport, DirectionReport, CaptureCounters, Direction } from './report/window-report.js';
export type { SelfMetrics } from './report/self-metrics.js';
export type { FrameConsumer } from './packets/frame-consumer.js';
export { readCaptureFile, CaptureFileError, type CaptureFileSummary } from './sources/capture-file/capture-file.js';
export type { Sink } from './sinks/sink.js';
export { windowToLine } from './sinks/line-protocol.js';
export { PengMetrics, type PengMetricsConfig } from './sinks/otel/peng-metrics.js';
