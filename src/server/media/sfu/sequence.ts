/**
 * Extends 16-bit RTP sequence numbers to an index that keeps counting across
 * wrap-around: each number is placed nearest the highest index seen so far,
 * so reordered packets from before a wrap land before it (RFC 3711 §3.3.1).
 */
export class SequenceExtender {
  /** Highest index so far; -1 before the first packet. */
  highest = -1;

  extend(sequenceNumber: number): number {
    if (this.highest < 0) return (this.highest = sequenceNumber);
    let index = this.highest - (this.highest % 0x10000) + sequenceNumber;
    if (index < this.highest - 0x8000) index += 0x10000;
    else if (index > this.highest + 0x8000) index -= 0x10000;
    if (index > this.highest) this.highest = index;
    return index;
  }
}
