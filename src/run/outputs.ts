import type { PengConfig } from '../config/peng-config.js';
import type { Direction } from '../detector/detector.js';
import type { WindowReport } from '../report/window-report.js';
import type { Logger } from '../log.js';
import { createSinks, stdoutCarriesData } from './create-sinks.js';
import { outputCounterStamp } from '../sinks/output-counters.js';
import { createPortTrace } from '../sinks/port-trace.js';
import { SinkFanout } from '../sinks/sink-fanout.js';

/** Everything a run writes to: the sinks of the configuration, behind one fan-out. */
export interface Outputs {
  /** Hands one finished window to every sink, stamped with the outputs' own counters. */
  deliver(report: WindowReport): void;
  /** `-verbose 3`: one rate-limited console line per counted port; absent otherwise. */
  readonly onPort?: (direction: Direction, port: number) => void;
  /** Flushes and closes every sink; resolves to what they failed to deliver (said once on stderr). */
  close(): Promise<number>;
}

/** Opens the outputs a configuration asks for (files are opened now, before privileges are dropped). */
export async function openOutputs(config: PengConfig, log: Logger): Promise<Outputs> {
  const sinks = await createSinks(config, log);
  const fanout = new SinkFanout(sinks, (sink, error, first) => {
    if (first) log.error(`${sink.name} output failed: ${error.message}`);
  });
  const stamp = outputCounterStamp(sinks);
  const onPort = config.verbose >= 3 ? createPortTrace(stdoutCarriesData(config) ? process.stderr : process.stdout, config.lineProtocol ? 'I! ' : '') : undefined;
  return {
    deliver(report) {
      stamp(report);
      fanout.write(report);
    },
    ...(onPort ? { onPort } : {}),
    async close() {
      await fanout.close();
      const lost = fanout.lost();
      if (lost > 0) log.error(`${lost} window(s) or line(s) were not delivered to every output; see the messages above`);
      return lost;
    },
  };
}
