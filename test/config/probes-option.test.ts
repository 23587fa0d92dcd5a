import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load-config.js';

test('-probes: empty by default (the mode decides), a list from a flag, repeated flags or PENG_PROBES', () => {
  assert.deepEqual(loadConfig([], {}).probes, []);
  assert.deepEqual(loadConfig(['-probes', 'syn,udp'], {}).probes, ['syn', 'udp']);
  assert.deepEqual(loadConfig(['-probes', 'syn', '-probes', 'ack'], {}).probes, ['syn', 'ack']);
  assert.deepEqual(loadConfig([], { PENG_PROBES: 'syn, stealth ,tunnels' }).probes, ['syn', 'stealth', 'tunnels']);
});

test('-probes without syn is refused with the list to write instead', () => {
  assert.throws(() => loadConfig(['-probes', 'stealth,udp'], {}), (err: unknown) => err instanceof ConfigError && /syn is missing.*write syn,stealth,udp/.test(err.message));
});

test('-probes with an unknown value names it and the valid ones', () => {
  assert.throws(() => loadConfig(['-probes', 'syn,fins'], {}), (err: unknown) => err instanceof ConfigError && /"fins" is not a probe kind.*stealth/.test(err.message));
});
