export { ConfigError } from './config-error.js';
export { loadConfig, defaultConfig } from './load-config.js';
export { helpText, optionsMarkdownTable } from './help.js';
export { schema, optionNames, type OptionName, type OptionSpec } from './schema.js';
export type { PengConfig, OptionValues } from './peng-config.js';
export { parseGoDuration, formatDuration } from './duration.js';
export { parseByteSize, formatByteSize } from './byte-size.js';
