import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RtpHeader, RtpPacket } from 'werift';
import { RetransmissionHistory } from '../../src/server/media/sfu/retransmission-history.js';

const packet = (n: number) => new RtpPacket(new RtpHeader({ sequenceNumber: n }), Buffer.alloc(10));

/** A history that has forwarded `count` packets with sequence numbers from `first` (wrapping). */
function historyOf(count: number, first = 0) {
  const history = new RetransmissionHistory();
  for (let i = 0; i < count; i++) history.remember((first + i) & 0xffff, packet(i));
  return history;
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

  it('resends a packet at most once per 100 ms', () => {
    const history = historyOf(100);
    assert.equal(history.take([50], 1000).length, 1);
    assert.equal(history.take([50], 1099).length, 0);
    assert.equal(history.take([50], 1100).length, 1);
  });

  it('keeps resends within a quarter of the forwarded packets, and refuses the rest', () => {
    const history = historyOf(40); // earns 10 resends
    const lost = Array.from({ length: 30 }, (_, i) => i);
    assert.equal(history.take(lost, 1000).length, 10);
    assert.equal(history.refused, 20);
    history.remember(40, packet(40));
    history.remember(41, packet(41));
    history.remember(42, packet(42));
    history.remember(43, packet(43));
    assert.equal(history.take([41, 42], 2000).length, 1);
  });

  it('caps the budget a long clean stream builds up', () => {
    const history = historyOf(500);
    assert.equal(history.take(Array.from({ length: 200 }, (_, i) => 300 + i), 1000).length, 64);
  });
});
