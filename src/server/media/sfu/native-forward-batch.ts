import type { RtpPacket } from 'werift';
import type { NativeSrtp } from './native-srtp-addon.js';
import { extensionRecords } from './rtp-header-writer.js';

/** Pairs held before they are handed over without waiting for the source to change: 512 streams. */
const CAPACITY = 1024;

/**
 * The streams that forward the current publisher packet, as (sender handle,
 * sequence number) pairs, handed to the addon in one call when the next
 * packet comes, before anything else is queued for one of those streams, and
 * when the current task ends, with the flush that sends every queue.
 */
export class NativeForwardBatch {
  private readonly pairs = new Uint32Array(CAPACITY);
  private count = 0;
  private source?: RtpPacket;
  private flushScheduled = false;
  private readonly maxPayload: number;

  constructor(private readonly addon: NativeSrtp) {
    this.maxPayload = addon.maxPayload;
  }

  /** Adds the stream to those forwarding `packet`; a payload too long for the addon's queue (only a misbehaving publisher sends one) is dropped. */
  add(handle: number, packet: RtpPacket, sequenceNumber: number): void {
    if (packet.payload.length > this.maxPayload) return;
    if (packet !== this.source || this.count === CAPACITY) {
      this.handOver();
      this.source = packet;
    }
    this.pairs[this.count++] = handle;
    this.pairs[this.count++] = sequenceNumber;
    this.scheduleFlush();
  }

  /** Queues the pairs so far in the addon, in order before what the caller queues next. */
  handOver(): void {
    if (this.count === 0) return;
    const { header, payload } = this.source!;
    const count = this.count;
    this.count = 0;
    this.addon.forward(header.marker, header.timestamp, extensionRecords(header.extensions), payload, this.pairs, count);
  }

  scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(this.flush);
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    this.handOver();
    this.source = undefined;
    this.addon.flush();
  };
}
