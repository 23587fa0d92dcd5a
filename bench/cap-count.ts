import { openCapHandle } from '../src/sources/live/cap-binding.js';
import { SYN_FILTER_TAGGED } from '../src/sources/live/bpf-filter.js';

/**
 * `cap` alone: the same filter, kernel buffer and one-event-per-packet path as Peng's live capture, but the
 * callback only counts (and reads the clock, as Peng does). Its CPU per packet is cap's own cost.
 * Usage: node cap-count.js INTERFACE BUFFER_BYTES   Prints "listening" on stderr, the count on SIGTERM.
 */

const [device, bufferText] = process.argv.slice(2);
if (device === undefined || bufferText === undefined) {
  process.stderr.write('usage: cap-count INTERFACE BUFFER_BYTES\n');
  process.exit(2);
}
const buffer = Buffer.alloc(65536);
const { handle } = openCapHandle(device, SYN_FILTER_TAGGED, Number(bufferText), buffer);
let packets = 0;
let lastStamp = 0;
handle.on('packet', () => {
  packets++;
  lastStamp = Date.now();
});
process.stderr.write(`listening on ${device}\n`);
const stop = (): void => {
  handle.close();
  process.stdout.write(JSON.stringify({ packets, lastStamp }) + '\n');
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
