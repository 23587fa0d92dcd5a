import { MAX_SIZE } from '../engine/index.js';
import { ConfigError } from './config-error.js';
import type { OptionValues } from './peng-config.js';
import type { OptionName } from './schema.js';

/** Names a setting as the user wrote it (see describeSetting). */
export type DescribeSetting = (name: OptionName) => string;


/**
 * The rules that involve more than one option. Each option alone is already valid (formats.ts); this
 * throws a ConfigError for the first combination that cannot work.
 */
export function checkCrossFieldRules(values: OptionValues, describe: DescribeSetting): void {
  checkBitmapShape(values, describe);
  if (values.json && values.lineProtocol) {
    throw new ConfigError(`${describe('json')} and ${describe('lineProtocol')} both write to stdout; choose one of them`);
  }
  checkInfluxSet(values, describe);
  if (values.group !== '' && (values.user === '' || values.user === 'root' || values.user === '0')) {
    // Privileges are dropped by switching user and group together; a group alone would be silently ignored.
    throw new ConfigError(`${describe('group')} needs a -user to switch to (other than root); set -user too, or leave -group empty`);
  }
}

function checkBitmapShape({ bin, size }: OptionValues, describe: DescribeSetting): void {
  if (size < bin) {
    throw new ConfigError(`${describe('size')} is smaller than ${describe('bin')}; every bin needs at least one bit, so use a size of at least ${bin} (a multiple of it, up to ${MAX_SIZE})`);
  }
  if (size % bin !== 0) {
    const below = Math.floor(size / bin) * bin;
    const above = below + bin;
    const choices = [below, above].filter((s) => s >= bin && s <= MAX_SIZE);
    throw new ConfigError(`${describe('size')} is not a multiple of ${describe('bin')}; every bin needs the same number of bits, so use a size such as ${choices.join(' or ')}`);
  }
}

const INFLUX_SET = ['bucket', 'org', 'token'] as const;

/** InfluxDB output is on when any of bucket, org or token is given, and then needs all three. */
function checkInfluxSet(values: OptionValues, describe: DescribeSetting): void {
  const given = INFLUX_SET.filter((name) => values[name] !== '');
  if (given.length === 0 || given.length === INFLUX_SET.length) return;
  const missing = INFLUX_SET.filter((name) => values[name] === '');
  throw new ConfigError(
    `the InfluxDB output needs bucket, org and token together: ${given.map(describe).join(' and ')} given, ` +
      `${missing.map((name) => `-${name}`).join(' and ')} missing; ` +
      `set ${missing.map((name) => `-${name} (or PENG_${name.toUpperCase()})`).join(' and ')}, or leave all three empty to turn InfluxDB off`,
  );
}
