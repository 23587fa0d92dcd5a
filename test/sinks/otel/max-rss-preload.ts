import { writeFileSync } from 'node:fs';

/**
 * Loaded with `node --import` into a peng child: at exit, writes the process's peak resident set size
 * (kilobytes, from getrusage) to $MAX_RSS_REPORT_FILE, so a test can bound the memory of a whole run.
 */
const file = process.env.MAX_RSS_REPORT_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
