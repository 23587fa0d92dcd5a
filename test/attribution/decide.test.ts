import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideScan, type Evidence } from '../../src/attribution/decide.js';

/** A source that probed `ports` ports (none privileged) on one host, one target each, no replies seen. */
function ev(over: Partial<Evidence>): Evidence {
  return { ports: 1, privilegedPorts: 0, hosts: 1, stealth: 0, targets: 1, successes: 0, failures: 0, repliesSeen: false, ...over };
}

test('vertical: 14 distinct ports are not a scan, 15 are (Zeek)', () => {
  assert.equal(decideScan(ev({ ports: 14, targets: 14 })), null);
  assert.equal(decideScan(ev({ ports: 15, targets: 15 })), 'vertical');
});

test('vertical by scanlogd weighting: 7 privileged ports are a scan, 6 are not; the weight adds to the other ports', () => {
  assert.equal(decideScan(ev({ ports: 7, privilegedPorts: 7, targets: 7 })), 'vertical');
  assert.equal(decideScan(ev({ ports: 6, privilegedPorts: 6, targets: 6 })), null);
  // 6 privileged (weight 3: 18) and 3 others make 21.
  assert.equal(decideScan(ev({ ports: 9, privilegedPorts: 6, targets: 9 })), 'vertical');
  assert.equal(decideScan(ev({ ports: 8, privilegedPorts: 6, targets: 8 })), null);
});

test('horizontal: 24 hosts on one port are not a scan, 25 are (Zeek)', () => {
  assert.equal(decideScan(ev({ hosts: 24, targets: 24 })), null);
  assert.equal(decideScan(ev({ hosts: 25, targets: 25 })), 'horizontal');
});

test('mixed: ports/15 + hosts/25 reaching 1 with more than one of each; a few services on a few hosts are not', () => {
  assert.equal(decideScan(ev({ ports: 8, hosts: 12, targets: 40 })), 'mixed'); // 0.533 + 0.48
  assert.equal(decideScan(ev({ ports: 8, hosts: 11, targets: 40 })), null); // 0.533 + 0.44
  assert.equal(decideScan(ev({ ports: 3, hosts: 5, targets: 15 })), null);
  assert.equal(decideScan(ev({ ports: 14, hosts: 2, targets: 28 })), 'mixed'); // 0.933 + 0.08
  assert.equal(decideScan(ev({ ports: 14, hosts: 1, targets: 14 })), null, 'one host: vertical or nothing');
  assert.equal(decideScan(ev({ ports: 1, hosts: 24, targets: 24 })), null, 'one port: horizontal or nothing');
});

test('stealth: two NULL or XMAS probes are a scan, one is not', () => {
  assert.equal(decideScan(ev({ stealth: 1 })), null);
  assert.equal(decideScan(ev({ stealth: 2 })), 'stealth');
});

test('TRW failures: 4 more failed first contacts than successes are a scan, 3 are not, and only where replies are seen', () => {
  assert.equal(decideScan(ev({ ports: 3, targets: 3, failures: 3, repliesSeen: true })), null);
  assert.equal(decideScan(ev({ ports: 4, targets: 4, failures: 4, repliesSeen: true })), 'failures');
  assert.equal(decideScan(ev({ ports: 5, targets: 5, failures: 4, successes: 1, repliesSeen: true })), null, 'net 3: each success takes one failure back');
  assert.equal(decideScan(ev({ ports: 6, targets: 6, failures: 5, successes: 1, repliesSeen: true })), 'failures', 'net 4');
  assert.equal(decideScan(ev({ ports: 4, targets: 4, failures: 4, repliesSeen: false })), null, 'outcomes mean nothing without replies');
});

test('benign-success veto: half or more of at least 4 targets answered open, whatever the fan-out', () => {
  const wide = { ports: 40, hosts: 30, targets: 60, repliesSeen: true };
  assert.equal(decideScan(ev({ ...wide, successes: 30 })), null, '30 of 60 succeeded');
  assert.equal(decideScan(ev({ ...wide, successes: 29 })), 'vertical', '29 of 60 is under half');
  assert.equal(decideScan(ev({ ...wide, successes: 60, stealth: 5 })), null, 'the veto comes before stealth');
  assert.equal(decideScan(ev({ ...wide, successes: 30, repliesSeen: false })), 'vertical', 'no veto without replies');
  // Fewer than 4 targets: too early to judge outcomes, the rules decide.
  assert.equal(decideScan(ev({ ports: 3, targets: 3, successes: 3, stealth: 2, repliesSeen: true })), 'stealth');
  assert.equal(decideScan(ev({ ports: 4, targets: 4, successes: 2, stealth: 2, repliesSeen: true })), null);
});
