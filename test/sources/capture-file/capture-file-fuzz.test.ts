import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CaptureFileError, readCaptureFile, type CaptureFileSummary } from '../../../src/sources/capture-file/capture-file.js';
import { craftPcap, PcapngWriter, type CraftedCapture, type ExpectedFrame } from '../../../support/capture-writers.js';
import { FrameCollector } from '../../support/frame-collector.js';
import { TcpFlags, tcpFrame, type Framing } from '../../../support/frames.js';
import { Xorshift32 } from '../../../support/xorshift.js';

// Issue 4: captures with bytes flipped and cut anywhere. Never a crash, damage counted and reported once
// per kind, every frame before the damage delivered unchanged, memory bounded. Seeded: every run is the same.

const MUTATIONS_PER_BASE = 800;
const dir = mkdtempSync(join(tmpdir(), 'peng-capfile-fuzz-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A scan as a capture would hold it: SYNs to many ports, some answered, on the given framing. */
function scanFrames(framing: Framing, count: number, ipv6 = false): Uint8Array[] {
  return Array.from({ length: count }, (_, i) =>
    tcpFrame({
      ...framing,
      ...(ipv6 ? { ipv6: { src: `2001:db8::${(i % 7) + 1}`, dst: '2001:db8::2' } } : { ipv4: { src: `198.51.100.${(i % 7) + 1}`, dst: '192.0.2.2' } }),
      tcp: { dstPort: 20 + i * 37, srcPort: 40000 + i, flags: i % 5 === 4 ? TcpFlags.SYN | TcpFlags.ACK : TcpFlags.SYN, payload: new Uint8Array(i % 3 === 0 ? 0 : i * 11) },
    }),
  );
}

function pcapBase(options: { bigEndian?: boolean; nanoseconds?: boolean }): CraftedCapture {
  const frames = scanFrames({ link: 'ethernet' }, 60);
  return craftPcap({ linkType: 1, ...options }, frames.map((bytes, i) => ({ bytes, seconds: 1_700_000_000 + (i >> 3), fraction: options.nanoseconds ? i * 12_345_678 : i * 12_345 })));
}

function pcapngBase(): CraftedCapture {
  const ether = scanFrames({ link: 'ethernet' }, 30);
  const cooked = scanFrames({ link: 'sll2' }, 30, true);
  const w = new PcapngWriter().section().interface({ linkType: 1, tsresol: 9 }).interface({ linkType: 276 });
  for (let i = 0; i < 30; i++) {
    w.enhanced(0, ether[i], 1_700_000_000_000_000_000n + BigInt(i) * 1_000_123n, i % 4 === 0 ? { comment: `frame ${i}` } : {});
    w.enhanced(1, cooked[i], 1_700_000_000_000_000n + BigInt(i) * 1_000n);
    if (i % 10 === 5) w.other(4, new Uint8Array(40)).other(5, new Uint8Array(24)).simple(ether[i]);
  }
  w.section({ bigEndian: true }).interface({ linkType: 101 });
  for (let i = 0; i < 5; i++) w.enhanced(0, ether[i].subarray(14), 1_700_000_100_000_000n + BigInt(i));
  return w.toCapture();
}

interface Base {
  name: string;
  capture: CraftedCapture;
  /** The bytes on disk: the capture itself, or its gzip. */
  bytes: Buffer;
  compressed: boolean;
}

function same(a: FrameCollector['frames'][number], e: ExpectedFrame): boolean {
  return a.linkType === e.linkType && Math.abs(a.timeMicros - e.timeMicros) <= 0.5 && Buffer.compare(Buffer.from(a.bytes), Buffer.from(e.bytes)) === 0;
}

interface Mutation {
  bytes: Buffer;
  /** First changed offset (a cut counts as a change there). */
  firstDamage: number;
  /** Cut at this length, nothing flipped. */
  cutOnly: boolean;
}

function mutate(rng: Xorshift32, original: Buffer): Mutation {
  const bytes = Buffer.from(original);
  let firstDamage = bytes.length;
  const kind = rng.below(4);
  if (kind === 0 || kind === 2) {
    for (let n = 1 + rng.below(4); n > 0; n--) {
      const at = rng.below(bytes.length);
      bytes[at] ^= 1 + rng.below(255);
      firstDamage = Math.min(firstDamage, at);
    }
  } else if (kind === 3) {
    // A length-sized field overwritten with an extreme value, 4-aligned where lengths live.
    const at = rng.below(bytes.length >> 2) << 2;
    bytes.writeUInt32LE(rng.pick([0xffffffff, 0x7ffffffc, 0x10000, 0, 13, rng.nextU32()]), Math.min(at, bytes.length - 4));
    firstDamage = Math.min(at, bytes.length - 4);
  }
  if (kind === 1 || kind === 2) {
    const cut = rng.below(bytes.length);
    firstDamage = Math.min(firstDamage, cut);
    return { bytes: bytes.subarray(0, cut), firstDamage, cutOnly: kind === 1 };
  }
  return { bytes, firstDamage, cutOnly: false };
}

async function replay(path: string, chunkSize: number | undefined) {
  const collector = new FrameCollector();
  const messages: string[] = [];
  let summary: CaptureFileSummary | null = null;
  let refused: CaptureFileError | null = null;
  try {
    summary = await readCaptureFile(path, collector, { progress: false, chunkSize, onProblem: (m) => messages.push(m) });
  } catch (error) {
    if (!(error instanceof CaptureFileError)) throw error; // anything else is a crash
    refused = error;
  }
  return { summary, refused, frames: collector.frames, messages };
}

test(`${MUTATIONS_PER_BASE} seeded mutations of each of pcap, big-endian nanosecond pcap, pcapng and gzip: never a crash, damage counted, frames before it kept`, async () => {
  const pcap = pcapBase({});
  const bases: Base[] = [
    { name: 'pcap', capture: pcap, bytes: pcap.bytes, compressed: false },
    { name: 'pcap-ns-be', capture: pcapBase({ bigEndian: true, nanoseconds: true }), bytes: Buffer.alloc(0), compressed: false },
    { name: 'pcapng', capture: pcapngBase(), bytes: Buffer.alloc(0), compressed: false },
    { name: 'pcap.gz', capture: pcap, bytes: gzipSync(pcap.bytes), compressed: true },
  ];
  for (const base of bases) if (!base.compressed) base.bytes = base.capture.bytes;
  const rng = new Xorshift32(0x5eed_ca9f);
  const path = join(dir, 'mutant');
  const rssBefore = process.memoryUsage().rss;
  const tally = { refused: 0, damaged: 0, clean: 0 };
  for (const base of bases) {
    const expected = base.capture.frames;
    for (let i = 0; i < MUTATIONS_PER_BASE; i++) {
      const m = mutate(rng, base.bytes);
      const chunkSize = rng.pick([64, 100, 1000, 4096, undefined]);
      writeFileSync(path, m.bytes);
      const where = `${base.name} mutation ${i} (first damage at ${m.firstDamage}, ${m.bytes.length} bytes, chunk ${chunkSize})`;
      const r = await replay(path, chunkSize);
      if (r.refused) {
        tally.refused++;
        assert.equal(r.frames.length, 0, `${where}: refused after delivering frames`);
        if (!base.compressed) assert.ok(m.firstDamage < 24, `${where}: refused for damage past the file header: ${r.refused.message}`);
        continue;
      }
      const summary = r.summary!;
      assert.equal(summary.frames, r.frames.length, where);
      assert.equal(summary.compressed, base.compressed, where);
      if (summary.problems > 0) tally.damaged++;
      else tally.clean++;
      // Each kind of damage is reported once, as one line.
      assert.ok(r.messages.length <= summary.problems, where);
      const kinds = r.messages.map((msg) => msg.replace(/ at byte .*/, ''));
      assert.equal(new Set(kinds).size, kinds.length, `${where}: a kind reported twice: ${r.messages.join(' | ')}`);
      for (const msg of r.messages) assert.match(msg, /^[a-z][a-z0-9 ]* at byte \d+( \([^\n]*\))?(; \d+ in all)?$/, where);
      for (const f of r.frames) assert.ok(f.bytes.length <= 262_144 && Number.isFinite(f.timeMicros), where);
      if (base.compressed) {
        // Inflated bytes before damage are the original's: whatever was delivered from a cut stream is a prefix.
        if (m.cutOnly) {
          r.frames.forEach((f, k) => assert.ok(same(f, expected[k]), `${where}: frame ${k} differs`));
          assert.ok(summary.problems > 0 || m.bytes.length === base.bytes.length, `${where}: a cut gzip stream must be reported`);
        }
        continue;
      }
      const intact = expected.filter((f) => f.end <= m.firstDamage);
      assert.ok(r.frames.length >= intact.length, `${where}: ${r.frames.length} frames, ${intact.length} intact before the damage`);
      intact.forEach((e, k) => assert.ok(same(r.frames[k], e), `${where}: intact frame ${k} differs`));
      if (m.cutOnly) {
        assert.equal(r.frames.length, intact.length, `${where}: a cut file delivers exactly the complete records`);
        const inside = expected.some((f) => f.start < m.firstDamage && m.firstDamage < f.end);
        if (inside) assert.deepEqual(kinds, ['truncated last record'], where);
      }
    }
  }
  const grown = process.memoryUsage().rss - rssBefore;
  assert.ok(grown < 100 * 1024 * 1024, `memory grew by ${grown} bytes`);
  // The mutations reach both outcomes: the fuzz is not testing only the happy path.
  assert.ok(tally.refused > 0 && tally.damaged > MUTATIONS_PER_BASE && tally.clean > 0, JSON.stringify(tally));
});
