import { ANY_INTERFACE, captureDeviceNames, configuredAddresses, listInterfaces } from '../sources/host/interfaces.js';

/**
 * `-interfaces`: the devices Peng can watch, one per line on stdout, like the original's list: the
 * kernel's interfaces with state and addresses (down ones included), then `any` when libpcap offers it.
 * libpcap's other pseudo-devices (nflog, dbus, usbmon...) carry nothing Peng decodes, so they are left out.
 */
export function printInterfaces(): void {
  const configured = configuredAddresses();
  for (const i of listInterfaces()) {
    const state = i.up ? (i.running ? 'up' : 'up, no carrier') : 'down';
    const addresses = configured?.get(i.name) ?? i.addresses;
    process.stdout.write(`${i.name}\t${state}\t${addresses.join(' ') || '-'}\n`);
  }
  const any = captureDeviceNames()?.find((d) => d.name === ANY_INTERFACE);
  if (any) process.stdout.write(`${ANY_INTERFACE}\tup\t- (${any.description || 'every interface'}, Linux cooked headers)\n`);
}
