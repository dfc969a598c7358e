import type { RtpPacket } from 'werift';

/** Packets remembered per subscriber stream: ~2 s of 1.5 Mbit/s video, longer than any useful retransmission. */
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
 * The recent packets of one subscriber stream under the sequence numbers the
 * subscriber saw, to answer its NACKs (RFC 4585) by sending them again. The
 * packets are the publisher's, shared by all subscribers, so the history
 * holds references, not copies. Rate limits keep repeated or mass NACKs from
 * turning into a retransmission storm.
 */
export class RetransmissionHistory {
  private readonly packets: (RtpPacket | undefined)[] = new Array(HISTORY_SIZE);
  private readonly sequenceNumbers = new Int32Array(HISTORY_SIZE).fill(-1);
  private readonly resentAt = new Float64Array(HISTORY_SIZE).fill(-Infinity);
  private budget = 0;
  /** Resends refused by the budget, for stats and tests. */
  refused = 0;

  remember(sequenceNumber: number, packet: RtpPacket): void {
    const slot = sequenceNumber % HISTORY_SIZE;
    this.packets[slot] = packet;
    this.sequenceNumbers[slot] = sequenceNumber;
    this.resentAt[slot] = -Infinity;
    this.budget = Math.min(MAX_BUDGET, this.budget + BUDGET_PER_PACKET);
  }

  /** The packets to resend for the sequence numbers a NACK lists: known, not resent just now, within the budget. */
  take(lost: readonly number[], now = performance.now()): Retransmission[] {
    const out: Retransmission[] = [];
    for (const sequenceNumber of lost) {
      const slot = sequenceNumber % HISTORY_SIZE;
      const packet = this.packets[slot];
      if (!packet || this.sequenceNumbers[slot] !== sequenceNumber || now - this.resentAt[slot] < RESEND_INTERVAL_MS) continue;
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
