import type { WindowReport } from '../report/window-report.js';
import type { Sink } from './sink.js';

interface CountsDroppedLines {
  readonly droppedLines: number;
}

function countsDroppedLines(sink: Sink): sink is Sink & CountsDroppedLines {
  return typeof (sink as Partial<CountsDroppedLines>).droppedLines === 'number';
}

/**
 * Returns a function that stamps each report with what the outputs lost since the previous window (the
 * InfluxDB writer's dropped lines), so that the other outputs, OpenTelemetry above all, can export it.
 */
export function outputCounterStamp(sinks: readonly Sink[]): (report: WindowReport) => void {
  const influx = sinks.find(countsDroppedLines);
  if (!influx) return () => {};
  let reported = 0;
  return (report) => {
    const total = influx.droppedLines;
    report.outputs = { influxdbDroppedLines: total - reported };
    reported = total;
  };
}
