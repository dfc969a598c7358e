/**
 * Counting a cheap subscriber's packets: from the clear RTP header of each
 * SRTP packet, without decrypting or decoding, so one core can stand in for
 * hundreds of viewers. Loss is counted from sequence gaps (an SFU forwards
 * with contiguous sequence numbers); duplicates are not counted twice.
 */
import { type RTCPeerConnection, SrtpAuthenticationError, isMedia, isRtcp } from 'werift';
import { SequenceExtender } from '../../src/server/media/sfu/sequence.js';

/** Thrown by the replaced SRTP decrypt: werift drops such packets quietly. One instance, so dropping allocates nothing. */
const NOT_DECRYPTED = new SrtpAuthenticationError('counted, not decrypted');

/** Recent packets remembered to tell a duplicate (a publisher retransmission forwarded again) from a new one. */
const DUPLICATE_WINDOW = 1024;

/** Distinct received and expected packets of one SSRC, from its extended sequence numbers. */
export class SequenceCounter {
  received = 0;
  private first = -1;
  private readonly sequence = new SequenceExtender();
  private readonly recent = new Float64Array(DUPLICATE_WINDOW).fill(-1);

  onSequence(sequenceNumber: number): void {
    const index = this.sequence.extend(sequenceNumber);
    if (this.first < 0) this.first = index;
    const slot = index % DUPLICATE_WINDOW;
    if (this.recent[slot] === index) return;
    this.recent[slot] = index;
    this.received++;
  }

  get expected(): number {
    return this.first < 0 ? 0 : this.sequence.highest - this.first + 1;
  }
}

/**
 * Counts the RTP packets a connected peer connection receives, per SSRC, from
 * now on. werift's own decryption is made to fail fast: no decrypt, no decode.
 */
export function countPackets(pc: RTCPeerConnection): Map<number, SequenceCounter> {
  const counters = new Map<number, SequenceCounter>();
  const dtls = pc.dtlsTransports[0];
  dtls.srtp.decrypt = () => {
    throw NOT_DECRYPTED;
  };
  dtls.iceTransport.connection.onData.subscribe((data: Buffer) => {
    if (!isMedia(data) || isRtcp(data)) return;
    const ssrc = data.readUInt32BE(8);
    let counter = counters.get(ssrc);
    if (!counter) counters.set(ssrc, (counter = new SequenceCounter()));
    counter.onSequence(data.readUInt16BE(2));
  });
  return counters;
}
