import type { PengConfig } from '../config/peng-config.js';
import { LocalAddresses } from '../net/local-addresses.js';
import { resolveProbeSets } from '../packets/probe-set.js';
import { LocalAddressWatcher } from '../sources/host/interface-addresses.js';
import { resolveInterfaces } from '../sources/host/interfaces.js';
import { openLiveCapture, type LiveCapture } from '../sources/live/live-capture.js';
import { WallClockWindows, wallClockConsumer } from '../windows/wall-clock-windows.js';
import { openOutputs } from './outputs.js';
import { configuredLocalAddresses, createAnalysis } from './pipeline.js';
import { dropPrivilegesAsConfigured } from './privileges.js';
import { logSelfMetrics, selfMetricsOf, type SelfMetricSources } from './self-metrics.js';
import type { RunStdio } from './stdio.js';
import { watchStopRequests } from './stop-requests.js';

/**
 * Live detection: one capture and one detector per interface on one wall clock, privileges dropped once
 * every handle is open, and a clean flush on SIGINT/SIGTERM or when Telegraf closes stdin. Resolves to
 * the exit code: 1 when an output lost data.
 */
export async function runLive(config: PengConfig, stdio: RunStdio): Promise<number> {
  const { log } = stdio;
  const names = resolveInterfaces(config.network.join(','));
  let sources: SelfMetricSources | null = null;
  const outputs = await openOutputs(config, stdio, { mode: 'live', selfMetrics: () => selfMetricsOf(sources!) });
  const fixedLocal = configuredLocalAddresses(config);
  const probeSets = resolveProbeSets(config.probes, 'live');
  const analyses = names.map((name) => createAnalysis(config, name, fixedLocal, outputs, probeSets));
  const detectors = analyses.map((a) => a.detector);
  // Each interface is followed by its kernel index: a rename keeps its addresses and its reports.
  const watchers = names.map(
    (name, i) =>
      new LocalAddressWatcher({
        interfaceNames: [name],
        onChange: (list) => {
          if (fixedLocal !== null) return;
          detectors[i]!.setLocalAddresses(LocalAddresses.parse(list));
          log.info(`${name}: local addresses ${list.join(', ') || '(none yet)'}`);
        },
        onRename: (from, to) => {
          detectors[i]!.setInterfaceNow(to);
          log.warn(`${name}: interface ${from} was renamed ${to}; still watching it (reports keep the name ${name})`);
        },
      }),
  );
  const windows = new WallClockWindows({
    timeFrameMicros: config.timeFrame * 1000,
    targets: detectors,
    onWindowClosed: () => watchers.forEach((w) => w.refresh()),
  });
  const captures: LiveCapture[] = [];
  sources = { detectors, scanTables: analyses.map((a) => a.scans), clock: windows.anomalies, captures, influxdbDroppedLines: outputs.influxdbDroppedLines };
  try {
    for (const [i, name] of names.entries()) {
      captures.push(openLiveCapture({ interfaceName: name, bufferSize: config.bufferSize, probeSets, consumer: wallClockConsumer(windows, detectors[i]!) }));
    }
    watchers.forEach((w) => w.start());
    dropPrivilegesAsConfigured(config, log);
  } catch (err) {
    captures.forEach((c) => c.close());
    await outputs.close();
    throw err;
  }

  const stop = watchStopRequests({ stdin: true, log, onStopMessage: 'closing the current window and flushing outputs' });
  windows.start();
  log.info(`watching ${names.join(', ')} for ${probeSets.join(',')} probes, one window every ${config.timeFrame} ms`);
  for (const c of captures) log.debug(`${c.interfaceName}: kernel filter ${c.filter}`);
  await stop.requested;

  watchers.forEach((w) => w.stop());
  windows.stop();
  const metrics = selfMetricsOf(sources);
  captures.forEach((c) => c.close());
  const lost = await outputs.close();
  logSelfMetrics(log, metrics, config.verbose >= 1 ? `${names.join(', ')} in ${outputs.windows} windows` : null);
  stop.dispose();
  return lost > 0 ? 1 : 0;
}
