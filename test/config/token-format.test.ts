import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load-config.js';

const influx = ['-bucket', 'b', '-org', 'o'];

function tokenError(token: string): string {
  try {
    loadConfig([...influx, '-token', token], {});
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.exitCode, 2);
    assert.ok(!error.message.includes('s3cr3t'), 'the token is never echoed');
    return error.message;
  }
  assert.fail(`token ${JSON.stringify(token)} was accepted`);
}

test('a token an HTTP header cannot carry is refused, naming the character and its position', () => {
  assert.match(tokenError('s3cr3t\r'), /^-token \[hidden\]: the token contains a carriage return \(\\r\), U\+000D, at its end \(character 7 of 7\), which an HTTP header cannot carry; remove it \(a token file or EnvironmentFile saved with Windows line endings/);
  assert.match(tokenError('s3\ncr3t'), /a line feed \(\\n\), U\+000A, at character 3 of 7/);
  assert.match(tokenError('s3cr3t\u001b'), /the control character U\+001B at its end/);
  assert.match(tokenError('s3cr3t\u007f'), /the control character U\+007F/);
  assert.match(tokenError('s3cr3t€'), /the non-Latin-1 character U\+20AC/);
});

test('tokens as InfluxDB issues them pass', () => {
  for (const token of ['nB3xw_Q-9k==', 'abc/def+ghi=', 'Zm9v YmFy', 'tab\tinside']) {
    assert.equal(loadConfig([...influx, '-token', token], {}).token, token);
  }
});
