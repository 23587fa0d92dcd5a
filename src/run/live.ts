import type { PengConfig } from '../config/peng-config.js';
import { Detector } from '../detector/detector.js';
import { LocalAddresses } from '../net/local-addresses.js';
import { WallClockWindows, wallClockConsumer } from '../windows/wall-clock-windows.js';
import type { Logger } from '../log.js';
import { dropPrivileges, PrivilegeDropError } from './privileges.js';
import { openOutputs } from './outputs.js';
import { watchStdinClose } from './stdin-close.js';
import { LocalAddressWatcher } from '../sources/host/interface-addresses.js';
import { configuredAddresses, InterfaceSelectionError, listInterfaces, resolveInterfaces } from '../sources/host/interfaces.js';
import { LiveCaptureError, openLiveCapture, type LiveCapture } from '../sources/live/live-capture.js';

/** `-interfaces`: the devices Peng can watch, like the original's list. */
export function printInterfaces(): void {
  const configured = configuredAddresses();
  for (const i of listInterfaces()) {
    const state = i.up ? (i.running ? 'up' : 'up, no carrier') : 'down';
    const addresses = configured?.get(i.name) ?? i.addresses;
    process.stdout.write(`${i.name}\t${state}\t${addresses.join(' ') || '-'}\n`);
  }
}

/** Errors that are the user's to fix (exit 2), as opposed to runtime failures (exit 1). */
function markUsage(error: Error): Error {
  return Object.assign(error, { usage: true });
}

/**
 * Live detection: one capture and one detector per interface, windows on the wall clock, privileges
 * dropped once every handle is open, and a clean flush on SIGINT/SIGTERM or when Telegraf closes stdin.
 */
export async function runLive(config: PengConfig, log: Logger): Promise<number> {
  let names: string[];
  try {
    names = resolveInterfaces(config.network.join(','));
  } catch (err) {
    throw err instanceof InterfaceSelectionError ? markUsage(err) : err;
  }
  const outputs = await openOutputs(config, log);
  const fixedLocal = config.localAddresses.length > 0 ? LocalAddresses.parse(config.localAddresses) : null;

  const detectors = names.map(
    (name) =>
      new Detector({
        bins: config.bin,
        size: config.size,
        timeFrameMicros: config.timeFrame * 1000,
        interfaceName: name,
        localAddresses: fixedLocal,
        onReport: (report) => outputs.deliver(report),
        ...(outputs.onPort ? { onPort: outputs.onPort } : {}),
      }),
  );
  const watchers = fixedLocal
    ? []
    : names.map(
        (name, i) =>
          new LocalAddressWatcher({
            interfaceNames: [name],
            onChange: (list) => {
              detectors[i]!.setLocalAddresses(LocalAddresses.parse(list));
              log.info(`${name}: local addresses ${list.join(', ') || '(none yet)'}`);
            },
          }),
      );
  const windows = new WallClockWindows({
    timeFrameMicros: config.timeFrame * 1000,
    targets: detectors,
    onWindowClosed: () => {
      for (const w of watchers) w.refresh();
    },
  });

  const captures: LiveCapture[] = [];
  try {
    for (const [i, name] of names.entries()) {
      captures.push(openLiveCapture({ interfaceName: name, bufferSize: config.bufferSize, consumer: wallClockConsumer(windows, detectors[i]!) }));
    }
  } catch (err) {
    for (const c of captures) c.close();
    await outputs.close();
    throw err instanceof LiveCaptureError && err.code !== 'open-failed' ? markUsage(err) : err;
  }
  for (const w of watchers) w.start();

  if (config.user !== '') {
    try {
      const result = dropPrivileges({ user: config.user, ...(config.group !== '' ? { group: config.group } : {}) });
      if (result.dropped) log.info(`running as ${result.user}:${result.group} (uid ${result.uid}, gid ${result.gid})`);
      else log.debug(`privileges kept: ${result.reason}`);
    } catch (err) {
      for (const c of captures) c.close();
      await outputs.close();
      throw err instanceof PrivilegeDropError ? markUsage(err) : err;
    }
  }

  windows.start();
  log.info(`watching ${names.join(', ')}, one window every ${config.timeFrame} ms`);
  for (const c of captures) log.debug(`${c.interfaceName}: kernel filter ${c.filter}`);

  const stopReason = await new Promise<string>((resolve) => {
    let stopping = false;
    const stop = (reason: string): void => {
      if (stopping) return;
      stopping = true;
      // The run is ending: stdin closing later (Telegraf's execd pipe) is no longer news.
      stdinWatch.disarm();
      resolve(reason);
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      // A second signal while flushing: the user wants out now.
      if (stopping) process.exit(1);
      stop(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const stdinWatch = watchStdinClose(() => stop('stdin closed'));
  });

  log.info(`${stopReason}: closing the current window and flushing outputs`);
  for (const w of watchers) w.stop();
  windows.stop();
  for (const c of captures) {
    const s = c.stats();
    if (s.consumerErrors > 0) log.error(`${c.interfaceName}: ${s.consumerErrors} frames failed to process: ${s.firstConsumerError ?? ''}`);
    c.close();
  }
  return (await outputs.close()) > 0 ? 1 : 0;
}
