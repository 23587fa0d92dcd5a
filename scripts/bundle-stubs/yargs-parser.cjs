'use strict';
// Stands in for yargs-parser in the bundled CLI: Peng gives convict `args: []` (src/config/parse-args.ts reads
// the command line), so convict only ever parses an empty list, and the real parser is 38 KB to compile at start.
module.exports = function parseArgs(args) {
  if (args.length > 0) throw new Error('peng bundle: convict was asked to parse arguments; src/config/load-config.ts must pass args: []');
  return { _: [] };
};
