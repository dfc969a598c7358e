import type { RtpPacket } from 'werift';
import { startsKeyframe } from './keyframe.js';
import type { SourceTrack } from './source-track.js';

/** Where a forwarder's packets go: the subscriber's stream, which writes its own header around the payload. */
export interface PacketOut {
  send(packet: RtpPacket, sequenceNumber: number): void;
}

/** While waiting for a keyframe, ask again this often in case the first answer was lost. */
const KEYFRAME_RETRY_MS = 1000;
/** How long (in packets) after a restart late packets from before it are still expected. */
const LATE_PACKET_WINDOW = 512;

/**
 * Forwards one publisher stream to one subscriber's stream, without
 * transcoding: decides which packets go out and under which sequence number.
 * Video starts (and restarts after a pause) on a keyframe, with sequence
 * numbers shifted so the subscriber never sees the gap. The output gives the
 * packet the subscriber's SSRC, payload type and extension ids.
 */
export class TrackForwarder {
  private enabled: boolean;
  private awaitingKeyframe: boolean;
  private lastKeyframeRequest = -Infinity;
  private sequenceOffset = 0;
  private lastSentSequence?: number;
  /** First publisher sequence number since (re)starting; older packets (late retransmissions) belong to before the gap. */
  private runStart?: number;
  private detach?: () => void;
  private readonly isVideo: boolean;

  constructor(
    private readonly source: SourceTrack,
    private readonly out: PacketOut,
    enabled: boolean,
  ) {
    this.isVideo = source.kind === 'video';
    this.enabled = enabled;
    this.awaitingKeyframe = this.isVideo;
  }

  /** Starts forwarding (call once the subscriber's connection is up). */
  start(): void {
    if (this.detach) return;
    this.detach = this.source.addSink((packet) => this.forward(packet));
    if (this.enabled) this.requestKeyframe();
  }

  setEnabled(enabled: boolean): void {
    if (enabled === this.enabled) return;
    this.enabled = enabled;
    if (!enabled) return;
    this.awaitingKeyframe = this.isVideo;
    if (this.detach) this.requestKeyframe();
  }

  /** Relays the subscriber's own keyframe request (PLI/FIR). */
  requestKeyframe(): void {
    this.lastKeyframeRequest = performance.now();
    this.source.requestKeyframe();
  }

  stop(): void {
    this.detach?.();
    this.detach = undefined;
  }

  private forward(packet: RtpPacket): void {
    if (!this.enabled) return;
    const { header } = packet;
    if (this.awaitingKeyframe) {
      if (!startsKeyframe(this.source.codec.name, packet.payload)) {
        if (performance.now() - this.lastKeyframeRequest > KEYFRAME_RETRY_MS) this.requestKeyframe();
        return;
      }
      this.awaitingKeyframe = false;
      this.runStart = header.sequenceNumber;
      if (this.lastSentSequence !== undefined) this.sequenceOffset = (this.lastSentSequence + 1 - header.sequenceNumber) & 0xffff;
    } else if (this.runStart !== undefined) {
      if (isBefore(header.sequenceNumber, this.runStart)) return;
      // Past the window, stop comparing: 16-bit order flips after 32768 packets.
      if (((header.sequenceNumber - this.runStart) & 0xffff) > LATE_PACKET_WINDOW) this.runStart = undefined;
    }
    const sequenceNumber = (header.sequenceNumber + this.sequenceOffset) & 0xffff;
    if (this.lastSentSequence === undefined || !isBefore(sequenceNumber, this.lastSentSequence)) this.lastSentSequence = sequenceNumber;
    this.out.send(packet, sequenceNumber);
  }
}

/** 16-bit sequence number order with wrap-around. */
function isBefore(a: number, b: number): boolean {
  const diff = (b - a) & 0xffff;
  return diff !== 0 && diff < 0x8000;
}
