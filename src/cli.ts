import { helpText } from './config/help.js';
import { asksForHelpOrVersion } from './config/parse-args.js';
import type { PengConfig } from './config/peng-config.js';
import { createLogger, type Logger } from './log.js';
import { runStdio } from './run/stdio.js';
import { PENG_VERSION } from './version.js';

/** Exit codes: 0 done, 1 runtime failure, 2 usage or configuration error (carried by the error itself). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Runs Peng with command-line arguments; resolves to the process exit code. Never throws for bad input. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const debug = argv.some((a) => /^--?debug(=true)?$/.test(a));
  // Answered before the configuration is loaded: neither needs it, and convict is most of start-up.
  const asked = asksForHelpOrVersion(argv);
  if (asked.help) {
    process.stdout.write(helpText());
    return EXIT_OK;
  }
  if (asked.version) {
    process.stdout.write(`peng ${PENG_VERSION}\n`);
    return EXIT_OK;
  }
  let config: PengConfig;
  const configWarnings: string[] = [];
  try {
    const { loadConfig } = await import('./config/load-config.js');
    config = loadConfig(argv, env, { warn: (message) => configWarnings.push(message) });
  } catch (err) {
    return reportError(err, debug, createLogger({ debug }));
  }
  const stdio = runStdio(config);
  configWarnings.forEach((message) => stdio.log.warn(message));
  try {
    if (config.interfaces) {
      (await import('./run/list-interfaces.js')).printInterfaces();
      return EXIT_OK;
    }
    if (config.command === 'replay') {
      const replay = await import('./run/replay.js');
      const paths = config.replayFiles;
      return replay.isCaptureSet(paths) ? await replay.runReplaySet(paths, config, stdio) : await replay.runReplay(paths[0]!, config, stdio);
    }
    return await (await import('./run/live.js')).runLive(config, stdio);
  } catch (err) {
    return reportError(err, config.debug, stdio.log);
  }
}

/** One line on stderr; the exit code is the error's own (2 for what the user can fix), else 1. */
function reportError(err: unknown, debug: boolean, log: Logger): number {
  const error = err instanceof Error ? err : new Error(String(err));
  log.error(debug && error.stack ? error.stack : error.message);
  const code = (error as { exitCode?: unknown }).exitCode;
  return code === EXIT_USAGE ? EXIT_USAGE : EXIT_FAILURE;
}
