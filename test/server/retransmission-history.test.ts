import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RtpHeader, RtpPacket } from 'werift';
import { RecentPackets } from '../../src/server/media/sfu/recent-packets.js';
import { RetransmissionHistory } from '../../src/server/media/sfu/retransmission-history.js';

const packet = (n: number) => new RtpPacket(new RtpHeader({ sequenceNumber: n }), Buffer.alloc(10));

/** A subscriber stream and its publisher's, one forwarding as `first`, `first + 1`… what the other sent as 0, 1… */
function forwarding(first = 0) {
  const source = new RecentPackets();
  const history = new RetransmissionHistory(source);
  let sent = 0;
  return {
    source,
    history,
    forward(count: number) {
      for (let i = 0; i < count; i++, sent++) {
        source.remember(packet(sent));
        history.remember((first + sent) & 0xffff, sent);
      }
    },
  };
}

/** A history that has forwarded `count` packets with sequence numbers from `first` (wrapping). */
function historyOf(count: number, first = 0) {
  const stream = forwarding(first);
  stream.forward(count);
  return stream.history;
}

describe('media: retransmission history', () => {
  it('returns the NACKed packets it still has, under the subscriber’s sequence numbers, across a wrap', () => {
    const history = historyOf(100, 65500);
    const out = history.take([65530, 3, 65535, 0], 1000);
    assert.deepEqual(out.map((r) => r.sequenceNumber), [65530, 3, 65535, 0]);
    assert.equal(out[0].packet.header.sequenceNumber, 30);
  });

  it('ignores sequence numbers it never sent or has overwritten', () => {
    const history = historyOf(600);
    assert.deepEqual(history.take([5, 700, 599], 1000).map((r) => r.sequenceNumber), [599]);
  });

  it('forgets a packet the publisher’s recent packets no longer hold', () => {
    const stream = forwarding(1000);
    stream.forward(10);
    for (let n = 512; n < 520; n++) stream.source.remember(packet(n)); // the publisher's later packets, not forwarded
    stream.forward(10);
    assert.deepEqual(stream.history.take([1000, 1007, 1008, 1015], 1000).map((r) => r.packet.header.sequenceNumber), [8, 15]);
  });

  it('resends a packet at most once per 100 ms', () => {
    const history = historyOf(100);
    assert.equal(history.take([50], 1000).length, 1);
    assert.equal(history.take([50], 1099).length, 0);
    assert.equal(history.take([50], 1100).length, 1);
  });

  it('keeps resends within a quarter of the forwarded packets, and refuses the rest', () => {
    const stream = forwarding();
    stream.forward(40); // earns 10 resends
    const lost = Array.from({ length: 30 }, (_, i) => i);
    assert.equal(stream.history.take(lost, 1000).length, 10);
    assert.equal(stream.history.refused, 20);
    stream.forward(4);
    assert.equal(stream.history.take([41, 42], 2000).length, 1);
  });

  it('caps the budget a long clean stream builds up', () => {
    const history = historyOf(500);
    assert.equal(history.take(Array.from({ length: 200 }, (_, i) => 300 + i), 1000).length, 64);
  });
});
