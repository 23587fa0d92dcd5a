import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TcpFlags, tcpFrame, linkTypeOf } from '../../support/frames.js';
import { pcapFile } from '../../support/capture-writers.js';
import { repoRoot } from '../../support/paths.js';

// What an operator does: pack, install globally (the capture addon builds), run the `peng` command.
test('npm pack + npm install -g gives a working peng command with a lean package', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'peng-pkg-'));
  try {
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as Array<{
      filename: string;
      files: Array<{ path: string }>;
    }>;
    const files = packed[0]!.files.map((f) => f.path);
    // The command is the bundle (scripts/bundle.mjs); dist/src stays for the library entry point.
    for (const f of ['dist/bundle/peng.cjs', 'dist/bundle/peng-main.cjs', 'dist/bundle/peng-main.cjs.cache', 'dist/src/index.js']) assert.ok(files.includes(f), `${f} is packed`);
    assert.ok(files.includes('plugin.yaml') && files.includes('config/peng.yaml') && files.includes('README.md'));
    for (const f of files) assert.doesNotMatch(f, /^(test|bench|support|src|dist\/test|dist\/bench|dist\/support)\/|\.map$|\.ts$(?<!\.d\.ts)/, `${f} does not belong in the package`);

    const prefix = join(dir, 'prefix');
    const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, join(dir, packed[0]!.filename)], { encoding: 'utf8', timeout: 240_000 });
    assert.equal(install.status, 0, install.stderr);
    const peng = join(prefix, 'bin', 'peng');
    assert.ok(existsSync(join(prefix, 'lib', 'node_modules', 'peng', 'build', 'Release', 'peng_pcap.node')), 'the capture addon was built');
    assert.ok(existsSync(join(prefix, 'lib', 'node_modules', 'peng', 'build', 'Release', 'peng_prctl.node')), 'the prctl addon was built');
    assert.match(execFileSync(peng, ['-version'], { encoding: 'utf8' }), /^peng \d+\.\d+\.\d+/);

    const capture = join(dir, 'one.pcap');
    writeFileSync(capture, pcapFile(linkTypeOf.ethernet, [tcpFrame({ link: 'ethernet', ipv4: { src: '198.51.100.1', dst: '192.0.2.1' }, tcp: { dstPort: 22, flags: TcpFlags.SYN } })]));
    const replay = JSON.parse(execFileSync(peng, ['replay', capture, '-json', '-verbose', '0'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as { server: { synPackets: number } };
    assert.equal(replay.server.synPackets, 1);
    // The installed command can open a live capture (the addon loads): list the devices.
    assert.match(execFileSync(peng, ['-interfaces'], { encoding: 'utf8' }), /^lo\b/m);
    assert.ok(readdirSync(join(prefix, 'lib', 'node_modules', 'peng')).includes('examples'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
