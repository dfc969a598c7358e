import type { RtpPacket } from 'werift';
import type { RecentPackets } from './recent-packets.js';

/** Sequence numbers remembered per subscriber stream, as many as the publisher's recent packets. */
const HISTORY_SIZE = 512;
/** A packet is resent at most once per this interval, however often it is NACKed (Chromium repeats NACKs per RTT). */
const RESEND_INTERVAL_MS = 100;
/** Retransmission budget: each forwarded packet earns this many resends, so retransmissions stay within ~25 % of the stream. */
const BUDGET_PER_PACKET = 0.25;
/** Most resends the budget can hold, so a long clean stretch cannot fund a burst storm. */
const MAX_BUDGET = 64;

export interface Retransmission {
  sequenceNumber: number;
  packet: RtpPacket;
}

/**
 * Which publisher packet went out under each of one subscriber stream's
 * recent sequence numbers, to answer its NACKs (RFC 4585) by sending them
 * again; the packets themselves are the publisher's recent ones. Rate limits
 * keep repeated or mass NACKs from turning into a retransmission storm.
 */
export class RetransmissionHistory {
  private readonly sequenceNumbers = new Int32Array(HISTORY_SIZE).fill(-1);
  private readonly sourceSequenceNumbers = new Int32Array(HISTORY_SIZE);
  private readonly resentAt = new Float64Array(HISTORY_SIZE).fill(-Infinity);
  private budget = 0;
  /** Resends refused by the budget, for stats and tests. */
  refused = 0;

  constructor(private readonly source: RecentPackets) {}

  /** The publisher's packet `sourceSequenceNumber` went out as `sequenceNumber`. */
  remember(sequenceNumber: number, sourceSequenceNumber: number): void {
    const slot = sequenceNumber % HISTORY_SIZE;
    this.sequenceNumbers[slot] = sequenceNumber;
    this.sourceSequenceNumbers[slot] = sourceSequenceNumber;
    this.resentAt[slot] = -Infinity;
    this.budget = Math.min(MAX_BUDGET, this.budget + BUDGET_PER_PACKET);
  }

  /** The packets to resend for the sequence numbers a NACK lists: known, not resent just now, within the budget. */
  take(lost: readonly number[], now = performance.now()): Retransmission[] {
    const out: Retransmission[] = [];
    for (const sequenceNumber of lost) {
      const slot = sequenceNumber % HISTORY_SIZE;
      if (this.sequenceNumbers[slot] !== sequenceNumber || now - this.resentAt[slot] < RESEND_INTERVAL_MS) continue;
      const packet = this.source.get(this.sourceSequenceNumbers[slot]);
      if (!packet) continue;
      if (this.budget < 1) {
        this.refused++;
        continue;
      }
      this.budget--;
      this.resentAt[slot] = now;
      out.push({ sequenceNumber, packet });
    }
    return out;
  }
}
