import type { RtpPacket } from 'werift';

/** Packets kept per publisher stream: ~2 s of 1.5 Mbit/s video, longer than any useful retransmission. */
const RECENT_PACKETS = 512;

/**
 * A publisher stream's latest packets by their sequence numbers, kept once
 * for all its subscribers: their retransmission histories map their own
 * sequence numbers to these, so forwarding a packet stores no reference per
 * subscriber (each would cost V8 a write barrier and the GC a root).
 */
export class RecentPackets {
  private readonly packets: (RtpPacket | undefined)[] = new Array(RECENT_PACKETS);

  remember(packet: RtpPacket): void {
    this.packets[packet.header.sequenceNumber % RECENT_PACKETS] = packet;
  }

  /** The packet with this sequence number, if it is still kept. */
  get(sequenceNumber: number): RtpPacket | undefined {
    const packet = this.packets[sequenceNumber % RECENT_PACKETS];
    return packet?.header.sequenceNumber === sequenceNumber ? packet : undefined;
  }
}
