import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalAddresses } from '../../src/net/local-addresses.js';
import { PortBitmap } from '../../src/engine/index.js';
import { TcpFlags, linkTypeOf } from '../../support/frames.js';
import { feed, replayPipeline as detector, SECOND, syn } from '../support/replay-pipeline.js';

const LOCAL4 = '192.0.2.10';
const LOCAL6 = '2001:db8::10';

test('SYNs to this host are server traffic, from this host client, between others neither', () => {
  const { d, reports } = detector(LocalAddresses.parse([LOCAL4, LOCAL6]));
  const t0 = 1_600_000_000 * SECOND;
  feed(d, syn('203.0.113.5', LOCAL4, 22), t0);
  feed(d, syn('203.0.113.5', LOCAL4, 80), t0 + 1);
  feed(d, syn(LOCAL4, '203.0.113.5', 443), t0 + 2);
  feed(d, syn('2001:db8::99', LOCAL6, 8080), t0 + 3);
  feed(d, syn(LOCAL6, '2001:db8::99', 25), t0 + 4);
  feed(d, syn('203.0.113.5', '198.51.100.7', 3389), t0 + 5); // a mirrored SYN between two other hosts
  feed(d, syn('203.0.113.5', LOCAL4, 22, TcpFlags.SYN | TcpFlags.ACK), t0 + 6); // SYN-ACK: not an opening
  d.finish();
  assert.equal(reports.length, 1);
  const [r] = reports;
  assert.equal(r!.server.synPackets, 3);
  assert.equal(r!.client.synPackets, 2);
  assert.equal(r!.capture.synPackets, 6);
  assert.equal(r!.capture.frames, 7);
  assert.equal(r!.capture.malformed, 0);
  const expectedServer = new PortBitmap({ bins: 16, size: 1024 });
  for (const p of [22, 80, 8080]) expectedServer.addPort(p);
  assert.equal(r!.server.entropy, expectedServer.entropy());
  assert.equal(r!.server.bitsSet, 3);
  assert.equal(r!.client.bitsSet, 2);
  assert.equal(r!.interface, 'test0');
});

test('without local addresses every SYN is server traffic', () => {
  const { d, reports } = detector(null);
  feed(d, syn('192.0.2.1', '192.0.2.2', 1), 0);
  feed(d, syn('192.0.2.2', '192.0.2.1', 2), 1);
  d.finish();
  assert.equal(reports[0]!.server.synPackets, 2);
  assert.equal(reports[0]!.client.synPackets, 0);
});

test('truncated frames are counted as malformed, unknown link types too, and nothing throws', () => {
  const { d, detector: det, reports } = detector(null);
  const frame = syn('192.0.2.1', '192.0.2.2', 80);
  feed(d, frame, 0, linkTypeOf.ethernet, 20);
  feed(d, frame, 1, 9999);
  feed(d, frame, 2);
  d.finish();
  assert.equal(reports[0]!.capture.malformed, 2);
  assert.equal(reports[0]!.capture.synPackets, 1);
  assert.equal(det.totals.unsupportedLink, 1);
  assert.equal(det.totals.malformed, 2);
});

test('the detector keeps no clock: closeWindow takes the bounds, marks partial windows and clears state', () => {
  const { detector: d, reports } = detector(null);
  const frame = syn('192.0.2.1', '192.0.2.2', 80);
  d.addFrame(frame, 0, frame.length, linkTypeOf.ethernet, 5);
  d.closeWindow(5 * SECOND, 10 * SECOND, true);
  d.closeWindow(10 * SECOND, 20 * SECOND, false);
  assert.equal(reports[0]!.partial, true);
  assert.equal(reports[0]!.server.synPackets, 1);
  assert.equal(reports[1]!.partial, undefined);
  assert.equal(reports[1]!.server.synPackets, 0);
  assert.equal(reports[1]!.start.getTime(), 10_000);
});
