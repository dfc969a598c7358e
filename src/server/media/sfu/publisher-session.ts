import { RTCPeerConnection, type RTCRtpTransceiver, RtcpSrPacket, type RtpPacket } from 'werift';
import type { MediaKind } from '../../../protocol/index.js';
import { EXTENSION_URI, absSendTimeSeconds } from './header-extensions.js';
import type { SrtpInput } from './srtp-input.js';
import { OfferError, answerOffer, checkOffer } from './negotiate.js';
import { publisherPeerConfig } from './peer-config.js';
import { PeerSession, type PeerTimeouts } from './peer-session.js';
import { type BitrateLimits, ReceiveBandwidthEstimator } from './receive-estimator.js';
import { rembPacket } from './remb.js';
import type { SessionOwner } from './session-owner.js';
import { SourceTrack } from './source-track.js';

const REMB_INTERVAL_MS = 500;

export interface PublishHooks {
  /** The publisher connected and can now be subscribed to; `kinds` are the negotiated ones. */
  onPublishing(kinds: MediaKind[]): void;
  /** The session ended; `replaced` when the same participant published again. */
  onClosed(replaced: boolean): void;
}

/**
 * A WHIP session: receives one participant's audio and video, hands packets to
 * subscribers' forwarders, and tells the publisher how fast it may send (REMB
 * from a receive-side estimate) since transport-cc is not negotiated.
 */
export class PublisherSession extends PeerSession {
  readonly sources: Partial<Record<MediaKind, SourceTrack>>;
  private readonly estimator: ReceiveBandwidthEstimator;
  private readonly absSendTimeId?: number;
  private readonly rembVia?: RTCRtpTransceiver;
  private readonly stopReceiving: (() => void)[] = [];
  private rembTimer?: NodeJS.Timeout;
  private replaced = false;
  /** Packets read in this turn of the event loop, forwarded together once reading is done. */
  private readonly pending: { source: SourceTrack; packet: RtpPacket }[] = [];
  private flushScheduled = false;

  /** Answers a WHIP offer; the session exists only if the offer could be answered with media to receive. */
  static async open(owner: SessionOwner, offerSdp: string, hooks: PublishHooks, limits: BitrateLimits, timeouts: PeerTimeouts, srtpInput: SrtpInput) {
    checkOffer(offerSdp, 'publish');
    const pc = new RTCPeerConnection(publisherPeerConfig());
    try {
      const answerSdp = await answerOffer(pc, offerSdp);
      const receiving = pc.getTransceivers().filter((t) => !t.stopped && !t.stopping && t.codecs.length > 0);
      if (receiving.length === 0) throw new OfferError('the offer has no codec the server accepts (Opus, VP8, H.264)');
      return { session: new PublisherSession(owner, pc, receiving, hooks, limits, timeouts, srtpInput), answerSdp };
    } catch (err) {
      pc.close().catch(() => {});
      throw err;
    }
  }

  private constructor(
    owner: SessionOwner,
    pc: RTCPeerConnection,
    transceivers: RTCRtpTransceiver[],
    private readonly hooks: PublishHooks,
    limits: BitrateLimits,
    timeouts: PeerTimeouts,
    private readonly srtpInput: SrtpInput,
  ) {
    super(owner, pc, timeouts);
    this.estimator = new ReceiveBandwidthEstimator(limits);
    const sources: Partial<Record<MediaKind, SourceTrack>> = {};
    for (const t of transceivers) {
      const kind = t.kind as MediaKind;
      if (sources[kind]) continue;
      const codec = t.codecs[0];
      const sendPli = kind === 'video' ? (ssrc: number) => void t.receiver.sendRtcpPLI(ssrc) : undefined;
      const source = new SourceTrack(kind, codec, t.headerExtensions, sendPli);
      sources[kind] = source;
      this.absSendTimeId ??= t.headerExtensions.find((e) => e.uri === EXTENSION_URI.absSendTime)?.id;
      if (kind === 'video' && codec.rtcpFeedback.some((f) => f.type === 'goog-remb')) this.rembVia = t;
      this.stopReceiving.push(t.receiver.track.onReceiveRtp.subscribe((packet) => this.receive(source, packet)).unSubscribe);
      this.stopReceiving.push(
        t.receiver.onRtcp.subscribe((packet) => {
          if (packet instanceof RtcpSrPacket && packet.ssrc === source.ssrc) {
            source.senderReport = { ntp: packet.senderInfo.ntpTimestamp, rtp: packet.senderInfo.rtpTimestamp, receivedAtMs: performance.now() };
          }
        }).unSubscribe,
      );
    }
    this.sources = sources;
  }

  /** Ends this session because the participant published again; presence stays with the new session. */
  replace(): Promise<void> {
    this.replaced = true;
    return this.close();
  }

  protected onConnected(): void {
    for (const transport of this.pc.dtlsTransports) this.srtpInput(transport);
    // Negotiated kinds count even before their first packet: a stream muted at publish sends none.
    this.hooks.onPublishing(Object.keys(this.sources) as MediaKind[]);
    if (!this.rembVia) return;
    // The first REMB goes out at once: Chromium adopts REMB directly only in its first seconds.
    this.estimator.update(performance.now());
    this.sendRemb();
    this.rembTimer = setInterval(() => {
      this.estimator.update(performance.now());
      this.sendRemb();
    }, REMB_INTERVAL_MS);
  }

  protected release(): void {
    clearInterval(this.rembTimer);
    for (const stop of this.stopReceiving) stop();
    for (const source of Object.values(this.sources)) source.close();
    this.hooks.onClosed(this.replaced);
  }

  private receive(source: SourceTrack, packet: RtpPacket): void {
    const { header } = packet;
    // Only the negotiated primary codec is forwarded; anything else would reach subscribers mislabelled.
    if (this.isClosed || header.payloadType !== source.codec.payloadType) return;
    const sendTime = absSendTimeSeconds(header.extensions, this.absSendTimeId);
    this.estimator.onPacket(performance.now(), header.ssrc, header.sequenceNumber, packet.serializeSize, sendTime);
    // Forwarding a packet to every subscriber takes time; done inline, it would
    // delay reading the next packets of the same burst, and the estimate would
    // take the SFU's own work for network queueing and throttle the publisher.
    // So packets are stamped as they are read and forwarded after the reads.
    this.pending.push({ source, packet });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    for (const { source, packet } of this.pending) if (!this.isClosed) source.deliver(packet);
    this.pending.length = 0;
  };

  private sendRemb(): void {
    const t = this.rembVia;
    if (!t) return;
    // Video first: REMB mostly concerns it, and some receivers (werift) apply it to the first SSRC only.
    const ssrcs = [this.sources.video?.ssrc, this.sources.audio?.ssrc].filter((ssrc) => ssrc !== undefined);
    t.receiver.dtlsTransport.sendRtcp([rembPacket(t.receiver.rtcpSsrc, this.estimator.bitrateBps, ssrcs)]).catch(() => {});
  }
}
