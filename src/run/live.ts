import type { PengConfig } from '../config/peng-config.js';
import { LocalAddresses } from '../net/local-addresses.js';
import { resolveProbeSets } from '../packets/probe-set.js';
import { readHostConnections } from '../sources/host/host-connections.js';
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
  const captures: LiveCapture[] = [];
  const dropped = names.map(() => 0);
  // The capture's run total, read as each window closes: the window gets the difference, and says so once.
  const droppedInWindow = (i: number) => (): number => {
    const total = captures[i]?.stats().dropped ?? 0;
    const delta = total - dropped[i]!;
    dropped[i] = total;
    if (delta > 0) log.warn(`${names[i]}: the capture dropped ${delta} frames in this window (kernel ring full; raise -bufferSize)`);
    return delta;
  };
  const analyses = names.map((name, i) => createAnalysis(config, name, fixedLocal, outputs, probeSets, droppedInWindow(i)));
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
    // A window in which an interface's capture was lost is partial for that interface only; the capture
    // reopens right after, so the next window is whole again.
    targets: detectors.map((d, i) => ({ closeWindow: (start: number, end: number, partial: boolean) => d.closeWindow(start, end, (captures[i]?.windowInterrupted() ?? false) || partial) })),
    onWindowClosed: () => watchers.forEach((w) => w.refresh()),
  });
  sources = { detectors, scanTables: analyses.map((a) => a.scans), clock: windows.anomalies, captures, influxdbDroppedLines: outputs.influxdbDroppedLines };
  try {
    for (const [i, name] of names.entries()) {
      captures.push(
        openLiveCapture({
          interfaceName: name,
          bufferSize: config.bufferSize,
          snaplen: config.snaplen,
          probeSets,
          consumer: wallClockConsumer(windows, detectors[i]!),
          onEvent: (level, message) => log[level](message),
        }),
      );
    }
    watchers.forEach((w) => w.start());
    // Read once the captures run: a connection opened later shows its handshake; one already open does not.
    const connections = readHostConnections();
    for (const { scans } of analyses) for (const c of connections) scans.noteConnection(c.family, c.local, c.remote);
    log.debug(`${connections.length} open TCP connections of this host noted: their ACKs and FIN+ACKs are not probes`);
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
