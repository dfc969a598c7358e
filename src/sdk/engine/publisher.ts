import type { MediaKind } from '../../protocol/index.js';
import type { LocalStageStream } from '../streams/local-stage-stream.js';
import { NegotiatedConnection } from './negotiated-connection.js';

/**
 * One WHIP session: a send-only peer connection carrying at most one audio and
 * one video stream. Replacing a stream of a kind already sent swaps the track
 * without renegotiating.
 */
export class Publisher extends NegotiatedConnection {
  private readonly senders = new Map<MediaKind, RTCRtpSender>();
  private readonly streams = new Map<MediaKind, LocalStageStream>();
  private readonly unfollow = new Map<MediaKind, () => void>();

  constructor(
    private readonly endpoint: string,
    token: string,
    onFailed: () => void,
  ) {
    super(token, onFailed);
  }

  async start(streams: Map<MediaKind, LocalStageStream>): Promise<void> {
    for (const [kind, stream] of streams) {
      const transceiver = this.pc.addTransceiver(kind, { direction: 'sendonly', sendEncodings: [stream.encoding] });
      this.senders.set(kind, transceiver.sender);
      this.attach(kind, stream);
    }
    await this.negotiate(this.endpoint);
  }

  /** True when `streams` can be sent by swapping tracks only (same kinds). */
  canReplace(streams: Map<MediaKind, LocalStageStream>): boolean {
    return streams.size === this.streams.size && [...streams.keys()].every((k) => this.senders.has(k));
  }

  async replace(streams: Map<MediaKind, LocalStageStream>): Promise<void> {
    for (const [kind, stream] of streams) {
      if (this.streams.get(kind) === stream) continue;
      this.unfollow.get(kind)?.();
      this.attach(kind, stream);
      await this.applyTrack(kind);
      await this.applyEncoding(kind);
    }
  }

  getStats(kind: MediaKind): Promise<RTCStatsReport> {
    const sender = this.senders.get(kind);
    return sender ? sender.getStats() : Promise.reject(new Error(`no ${kind} sender`));
  }

  protected override release(): void {
    for (const stop of this.unfollow.values()) stop();
    this.unfollow.clear();
  }

  private attach(kind: MediaKind, stream: LocalStageStream): void {
    this.streams.set(kind, stream);
    stream._setStatsSource(() => this.getStats(kind));
    const stop = stream._onMuteChanged(() => void this.applyTrack(kind));
    this.unfollow.set(kind, () => {
      stop();
      stream._setStatsSource(undefined);
    });
    // Before negotiation the sender accepts a track directly.
    if (!this.resource) void this.applyTrack(kind);
  }

  /** A muted stream sends nothing at all (no black frames), and its own track stays untouched. */
  private async applyTrack(kind: MediaKind): Promise<void> {
    const stream = this.streams.get(kind);
    const sender = this.senders.get(kind);
    if (!stream || !sender || this.closed) return;
    await sender.replaceTrack(stream.isMuted ? null : stream.mediaStreamTrack);
  }

  private async applyEncoding(kind: MediaKind): Promise<void> {
    const stream = this.streams.get(kind);
    const sender = this.senders.get(kind);
    if (!stream || !sender) return;
    const params = sender.getParameters();
    if (!params.encodings?.length) return;
    const wanted = stream.encoding;
    params.encodings[0].maxBitrate = wanted.maxBitrate;
    params.encodings[0].maxFramerate = wanted.maxFramerate;
    await sender.setParameters(params);
  }
}
