import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load-config.js';
import { envNameFor, optionNames } from '../../src/config/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'peng-config-hostile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** mulberry32: a small seeded generator, so every run tries the same inputs. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['0', '1', '16', '1024', '65536', '-1', '1m', '1h30m', 'soon', '', ',', '=', 'true', 'false', 'replay', '--', '::1', '10.0.0.0/8', 'eth0', 'http://x', '4MiB', '\u0000', '\n', '\u001b[31m', '__proto__', 'constructor', 'é', '\ud800'];

function junk(next: () => number, maxLength: number): string {
  const length = Math.floor(next() * maxLength);
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(Math.floor(next() * 0x3000));
  return text;
}

function token(next: () => number): string {
  const roll = next();
  if (roll < 0.35) {
    const name = optionNames[Math.floor(next() * optionNames.length)]!;
    const dashes = next() < 0.5 ? '-' : '--';
    return next() < 0.3 ? `${dashes}${name}=${PIECES[Math.floor(next() * PIECES.length)]}` : `${dashes}${name}`;
  }
  if (roll < 0.8) return PIECES[Math.floor(next() * PIECES.length)]!;
  return junk(next, 24);
}

/** Every outcome is a config or a one-line ConfigError; nothing else is ever thrown. */
function assertHandled(run: () => unknown, label: string): 'config' | 'error' {
  try {
    run();
    return 'config';
  } catch (err) {
    assert.ok(err instanceof ConfigError, `${label}: threw ${String(err)}`);
    assert.doesNotMatch(err.message, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/, `${label}: control character in ${JSON.stringify(err.message)}`);
    return 'error';
  }
}

test('random command lines and environments give a config or one clean ConfigError', () => {
  const next = random(0x9e3779b9);
  const outcomes = { config: 0, error: 0 };
  for (let round = 0; round < 3000; round++) {
    const argv = Array.from({ length: 1 + Math.floor(next() * 6) }, () => token(next));
    const env: NodeJS.ProcessEnv = {};
    if (next() < 0.5) {
      const name = optionNames[Math.floor(next() * optionNames.length)]!;
      if (name !== 'config') env[envNameFor(name)] = next() < 0.5 ? token(next) : junk(next, 16);
    }
    outcomes[assertHandled(() => loadConfig(argv.filter((arg) => !/^--?config/.test(arg)), env), `argv ${JSON.stringify(argv)} env ${JSON.stringify(env)}`)]++;
  }
  assert.ok(outcomes.config > 100 && outcomes.error > 100, `both outcomes exercised: ${JSON.stringify(outcomes)}`);
});

test('random and mutated config files give a config or one clean ConfigError', () => {
  const next = random(0x1234567);
  const outcomes = { config: 0, error: 0 };
  const seeds = ['{"bin": 16, "size": 1024, "network": ["eth0"]}', 'timeFrame: 1m\nbin: 16\nlocalAddresses: [10.0.0.0/8, "::1"]\n', 'network: &x [*x]\n', 'network: &a [eth0]\nlocalAddresses: ["::1"]\nbucket: *a\n'];
  for (let round = 0; round < 400; round++) {
    const base = seeds[round % seeds.length]!;
    const chars = [...base];
    for (let flips = Math.floor(next() * 3); flips > 0; flips--) {
      const at = Math.floor(next() * chars.length);
      const roll = next();
      if (roll < 0.4) chars[at] = String.fromCharCode(Math.floor(next() * 128));
      else if (roll < 0.7) chars.splice(at, 1);
      else chars.splice(at, 0, PIECES[Math.floor(next() * PIECES.length)]!);
    }
    const mutated = chars.join('');
    const text = round % 7 === 0 ? junk(next, 200) : round % 3 === 0 ? mutated.slice(0, Math.floor(next() * mutated.length)) : mutated;
    const path = join(dir, `case-${round}${['.json', '.yaml', '.yml', '.conf'][round % 4]}`);
    writeFileSync(path, text);
    outcomes[assertHandled(() => loadConfig(['--config', path], {}), `file ${JSON.stringify(text)}`)]++;
  }
  assert.ok(outcomes.config > 20 && outcomes.error > 20, `both outcomes exercised: ${JSON.stringify(outcomes)}`);
});
