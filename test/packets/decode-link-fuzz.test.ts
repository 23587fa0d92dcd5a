import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MalformedReason, ProbeKind } from '../../src/packets/probe-record.js';
import { fuzzTarget, watchedReads, type FuzzTarget } from './fuzz-engine.js';

/**
 * A million seeded hostile frames per link type past Ethernet: no throw, no read outside the frame, every
 * frame one kind or one reason, and tunnels inside (MPLS on Cisco HDLC) still bounded. A failure names the seed
 * and frame, so it replays exactly.
 */

const FRAMES_PER_TARGET = 1_000_000;
const WATCHED_FRAMES_PER_TARGET = 50_000;

const targets: FuzzTarget[] = [
  { name: 'raw IPv4 (228)', encapsulations: ['ipv4-link'] },
  { name: 'raw IPv6 (229)', encapsulations: ['ipv6-link'] },
  { name: 'PPP (9)', encapsulations: ['ppp', 'ppp-compressed'] },
  { name: 'PPP in HDLC framing (50)', encapsulations: ['ppp-hdlc'] },
  { name: 'Cisco HDLC (104)', encapsulations: ['cisco-hdlc'] },
  { name: 'NFLOG (239)', encapsulations: ['nflog', 'nflog-be'] },
  { name: 'radiotap (127)', encapsulations: ['radiotap'] },
  { name: '802.11 (105)', encapsulations: ['wlan', 'wlan-4addr-qos-ht'] },
];
/** No nesting in these seeds. */
const NESTED = new Set<string>();

for (const [t, target] of targets.entries()) {
  test(`fuzz ${target.name}: ${FRAMES_PER_TARGET} hostile frames, no throw, no read outside the frame, each counted once`, () => {
    const counts = fuzzTarget(target, 0x11c50000 + t, FRAMES_PER_TARGET);
    const total = counts.fragments + counts.kinds.reduce((a, b) => a + b, 0) + counts.reasons.reduce((a, b) => a + b, 0);
    assert.equal(total, FRAMES_PER_TARGET);
    assert.equal(counts.reasons[MalformedReason.UnsupportedLink], 0);
    // The mutations must reach probes, non-probes and damage, or the fuzzer is not exploring.
    const where = `kinds ${counts.kinds.join(', ')}; reasons ${counts.reasons.join(', ')}`;
    assert.ok(counts.kinds[ProbeKind.Syn]! > FRAMES_PER_TARGET / 100, where);
    assert.ok(counts.kinds[0]! > FRAMES_PER_TARGET / 100, where);
    assert.ok(counts.reasons[MalformedReason.Truncated]! > FRAMES_PER_TARGET / 100, where);
    if (NESTED.has(target.name)) assert.ok(counts.reasons[MalformedReason.TunnelTooDeep]! > FRAMES_PER_TARGET / 1000, where);
  });
}

test(`fuzz every new link type through a watching proxy: ${WATCHED_FRAMES_PER_TARGET} frames each, not one index read outside the frame`, () => {
  // Runs after the million-frame loops, since the proxy makes the decoder's call sites polymorphic.
  assert.equal(watchedReads(targets, WATCHED_FRAMES_PER_TARGET), null);
});
