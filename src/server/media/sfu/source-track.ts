import type { RTCRtpCodecParameters, RTCRtpHeaderExtensionParameters, RtpPacket } from 'werift';
import type { MediaKind } from '../../../protocol/index.js';
import { KeyframeRequester } from './keyframe-requester.js';
import { RecentPackets } from './recent-packets.js';
import type { SenderReport } from './sender-reports.js';

export type PacketSink = (packet: RtpPacket) => void;

/** One stream a publisher sends (its audio or its video), which subscribers' forwarders attach to. */
export class SourceTrack {
  /** SSRC of the latest packet; undefined until media arrives. */
  ssrc?: number;
  /** The publisher's latest sender report for this stream. */
  senderReport?: SenderReport;
  /** What subscribers retransmit from. */
  readonly recent = new RecentPackets();
  private readonly sinks = new Set<PacketSink>();
  private readonly keyframes?: KeyframeRequester;

  constructor(
    readonly kind: MediaKind,
    readonly codec: RTCRtpCodecParameters,
    /** The publisher's negotiated header extensions (ids are the publisher's). */
    readonly extensions: readonly RTCRtpHeaderExtensionParameters[],
    sendPli?: (ssrc: number) => void,
  ) {
    if (sendPli) this.keyframes = new KeyframeRequester(() => this.ssrc !== undefined && sendPli(this.ssrc));
  }

  addSink(sink: PacketSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  deliver(packet: RtpPacket): void {
    this.ssrc = packet.header.ssrc;
    this.recent.remember(packet);
    for (const sink of this.sinks) sink(packet);
  }

  /** Asks the publisher for a keyframe (throttled); a no-op for audio. */
  requestKeyframe(): void {
    this.keyframes?.request();
  }

  close(): void {
    this.keyframes?.close();
    this.sinks.clear();
  }
}
