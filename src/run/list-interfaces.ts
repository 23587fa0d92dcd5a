import { configuredAddresses, listInterfaces } from '../sources/host/interfaces.js';

/** `-interfaces`: the devices Peng can watch, one per line on stdout, like the original's list. */
export function printInterfaces(): void {
  const configured = configuredAddresses();
  for (const i of listInterfaces()) {
    const state = i.up ? (i.running ? 'up' : 'up, no carrier') : 'down';
    const addresses = configured?.get(i.name) ?? i.addresses;
    process.stdout.write(`${i.name}\t${state}\t${addresses.join(' ') || '-'}\n`);
  }
}
