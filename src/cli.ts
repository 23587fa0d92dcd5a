import { ConfigError } from './config/config-error.js';
import { helpText } from './config/help.js';
import { loadConfig } from './config/load-config.js';
import type { PengConfig } from './config/peng-config.js';
import { createLogger, type Logger } from './log.js';
import { replayCaptureFile } from './run/replay.js';
import { openOutputs } from './run/outputs.js';
import { CaptureFileError } from './sources/capture-file/capture-file.js';
import { PENG_VERSION } from './version.js';

/** Exit codes: 0 done, 1 runtime failure, 2 usage or configuration error. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Runs Peng with command-line arguments; resolves to the process exit code. Never throws for bad input. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const debug = argv.some((a) => /^--?debug(=true)?$/.test(a));
  let config: PengConfig;
  try {
    config = loadConfig(argv, env);
  } catch (err) {
    return reportError(err, debug, createLogger({ debug }));
  }
  if (config.help) {
    process.stdout.write(helpText());
    return EXIT_OK;
  }
  if (config.version) {
    process.stdout.write(`peng ${PENG_VERSION}\n`);
    return EXIT_OK;
  }
  const log = createLogger({ telegraf: config.lineProtocol, debug: config.debug });
  try {
    if (config.interfaces) {
      const { printInterfaces } = await import('./run/live.js');
      printInterfaces();
      return EXIT_OK;
    }
    if (config.command === 'replay') {
      const result = await replayCaptureFile(config.replayFile!, config, await openOutputs(config, log), log);
      if (result.interrupted) {
        log.error(`replay of ${config.replayFile!} interrupted after ${result.summary.frames} frames; the windows so far were reported`);
        return EXIT_FAILURE;
      }
      return result.lost > 0 ? EXIT_FAILURE : EXIT_OK;
    }
    const { runLive } = await import('./run/live.js');
    return await runLive(config, log);
  } catch (err) {
    return reportError(err, config.debug, log);
  }
}

/** Usage and input errors exit 2 with one line; anything else is a runtime failure (1). */
function reportError(err: unknown, debug: boolean, log: Logger): number {
  const error = err instanceof Error ? err : new Error(String(err));
  log.error(debug && error.stack ? error.stack : error.message);
  return isUsageError(error) ? EXIT_USAGE : EXIT_FAILURE;
}

function isUsageError(error: Error): boolean {
  if (error instanceof ConfigError || error instanceof CaptureFileError) return true;
  return (error as { usage?: unknown }).usage === true;
}
