import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, lchownSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TcpFlags, linkTypeOf, tcpFrame } from '../../support/frames.js';
import { pengBin } from '../../support/paths.js';
import { pcapFile } from '../../support/capture-writers.js';
import { pengTestEnv, runPeng, type PengRun } from '../support/run-peng.js';
import { lookupAccount } from '../../src/run/privileges.js';

const dir = mkdtempSync(join(tmpdir(), 'peng-hardening-'));
chmodSync(dir, 0o755);
after(() => rmSync(dir, { recursive: true, force: true }));

const capture = join(dir, 'three.pcap');
writeFileSync(
  capture,
  pcapFile(
    linkTypeOf.ethernet,
    [22, 80, 443].map((port) => tcpFrame({ link: 'ethernet', ipv4: { src: '198.51.100.1', dst: '192.0.2.1' }, tcp: { dstPort: port, flags: TcpFlags.SYN } })),
  ),
);
const rootSkip: string | false = process.getuid?.() === 0 ? false : 'needs root (a symlink owned by another user)';

/** Runs the CLI without blocking this process, so a loopback server here can answer it. */
function runPengAsync(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<PengRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [pengBin, ...args], { env: { ...pengTestEnv(), ...env }, timeout: 30_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

test('a CSV path that is a symlink planted by another user is refused with exit 2; the target is untouched', { skip: rootSkip, timeout: 30_000 }, () => {
  const victim = join(dir, 'victim');
  writeFileSync(victim, 'root:precious\n');
  const planted = join(dir, 'planted.csv');
  symlinkSync(victim, planted);
  const nobody = lookupAccount('passwd', 'nobody')!;
  lchownSync(planted, nobody.id + 1, nobody.gid); // someone who is neither root nor the -user Peng drops to
  const refused = runPeng(['replay', capture, '-verbose', '0', '-export', planted]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /^peng: CSV file ".*planted\.csv" is a symbolic link owned by uid \d+, not by root or the user Peng runs as; refusing to follow it \(remove the link or give the real path\)\n$/);
  assert.equal(readFileSync(victim, 'utf8'), 'root:precious\n');

  // A link root made (or the -user made) is followed, as before.
  const trusted = join(dir, 'trusted.csv');
  symlinkSync(join(dir, 'real.csv'), trusted);
  const followed = runPeng(['replay', capture, '-verbose', '0', '-export', trusted]);
  assert.equal(followed.code, 0, followed.stderr);
  assert.match(readFileSync(join(dir, 'real.csv'), 'utf8'), /^time,client,server\n.+\n$/);
});

test('user-info in -otlpEndpoint is redacted in the real export warning', { timeout: 30_000 }, () => {
  const result = runPeng(['replay', capture, '-verbose', '0', '-otlp', '-otlpEndpoint', 'http://u:s3cr3t@127.0.0.1:1']);
  assert.equal(result.code, 1, 'the undelivered windows make the exit status 1');
  assert.match(result.stderr, /OTLP export to http:\/\/\*\*\*@127\.0\.0\.1:1\/v1\/metrics (\(http\/protobuf\) )?failed/);
  assert.doesNotMatch(result.stderr, /s3cr3t|u:/);
  const config = runPeng(['replay', capture, '-bucket', 'b', '-org', 'o', '-token', 't', '-influxUrl', 'ftp://admin:s3cr3t@127.0.0.1']);
  assert.equal(config.code, 2);
  assert.match(config.stderr, /^peng: -influxUrl "ftp:\/\/\*\*\*@127\.0\.0\.1": scheme ftp is not supported; /);
  assert.doesNotMatch(config.stderr, /s3cr3t/);
});

test('--config on a file that is not Peng\'s says what is wrong without echoing its content', () => {
  const secret = join(dir, 'shadow.yaml');
  writeFileSync(secret, 'root:$y$j9T$SECRETSALT$SECRETHASH:19700:0:99999:7:::\ndaemon:*:19700:0:99999:7:::\n');
  const result = runPeng(['--config', secret]);
  assert.equal(result.code, 2);
  assert.equal(result.stderr, `peng: config file ${secret}: unknown key at line 1 (not a Peng option); run peng --help for the list of options\n`);
  const json = join(dir, 'key.json');
  writeFileSync(json, '{"bin": 16,\n "AKIASECRETACCESSKEY": 1}');
  const second = runPeng(['--config', json]);
  assert.equal(second.code, 2);
  assert.match(second.stderr, /unknown key at line 2 \(not a Peng option\)/);
  assert.doesNotMatch(second.stderr, /AKIA/);
});

test('replay of a file that is not a capture names the problem, not its bytes', () => {
  const notCapture = join(dir, 'notes.txt');
  writeFileSync(notCapture, 'PASSWORD=hunter2\n');
  const result = runPeng(['replay', notCapture]);
  assert.equal(result.code, 2);
  assert.equal(result.stderr, `peng: capture file ${notCapture} is not a pcap or pcapng file (unknown magic number); give a capture saved by tcpdump, tshark or Wireshark\n`);
});

test('a capture file name with an ANSI escape and a line break cannot forge -verbose 3 console lines', () => {
  const hostile = join(dir, 'x\u001b[2J\u001b[31m\nFAKE] [SERVER] total entropy: 9.pcap');
  writeFileSync(hostile, readFileSync(capture));
  const result = runPeng(['replay', hostile, '-verbose', '3']);
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stdout, /\u001b/);
  const captureLines = result.stdout.split('\n').filter((line) => line.includes('[CAPTURE]'));
  assert.equal(captureLines.length, 1);
  assert.match(captureLines[0]!, /\[CAPTURE\] x\?\[2J\?\[31m\?FAKE\] \[SERVER\] total entropy: 9\.pcap frames: 3 syn: 3 malformed: 0$/);
  assert.ok(result.stdout.split('\n').every((line) => line === '' || line.startsWith('[')), 'every console line is Peng\'s own');
});

test('-tokenFile: the token is read once, one final CRLF dropped, and sent; misuse is a usage error', { timeout: 60_000 }, async () => {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers.authorization ?? '(none)');
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 's3cr3t-token\r\n', { mode: 0o600 });
    chmodSync(tokenFile, 0o600);
    const influx = ['-bucket', 'b', '-org', 'o', '-influxUrl', `http://127.0.0.1:${port}`, '-localAddresses', '192.0.2.1'];
    const ok = await runPengAsync(['replay', capture, '-verbose', '0', ...influx, '-tokenFile', tokenFile]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stderr, '');
    assert.ok(seen.length >= 1 && seen.every((h) => h === 'Token s3cr3t-token'), `Authorization headers: ${seen.join(', ')}`);

    chmodSync(tokenFile, 0o644);
    const open = await runPengAsync(['replay', capture, '-verbose', '0', ...influx, '-tokenFile', tokenFile]);
    assert.equal(open.code, 0, open.stderr);
    assert.equal(open.stderr, `peng: warning: token file ${tokenFile} is readable by every user (mode 644); run chmod o-r on it\n`);

    const both = runPeng(['replay', capture, ...influx, '-tokenFile', tokenFile], { env: { PENG_TOKEN: 'other' } });
    assert.equal(both.code, 2);
    assert.equal(both.stderr, `peng: PENG_TOKEN=[hidden] and -tokenFile ${tokenFile} both give the InfluxDB token; give only one of them\n`);

    const empty = join(dir, 'empty-token');
    writeFileSync(empty, '\n', { mode: 0o600 });
    const refused = runPeng(['replay', capture, ...influx, '-tokenFile', empty]);
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr, `peng: token file ${empty} is empty; write the InfluxDB token into it\n`);
    const missing = runPeng(['replay', capture, ...influx, '-tokenFile', join(dir, 'nope')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^peng: token file .*nope cannot be read \(ENOENT\); check the path given to -tokenFile and its permissions\n$/);
    const twoLines = join(dir, 'two-lines');
    writeFileSync(twoLines, 'abc\ndef\n', { mode: 0o600 });
    const multi = runPeng(['replay', capture, ...influx, '-tokenFile', twoLines]);
    assert.equal(multi.code, 2);
    assert.doesNotMatch(multi.stderr, /abc|def/);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
