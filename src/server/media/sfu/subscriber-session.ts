import { MediaStream, RTCPeerConnection, ReceiverEstimatedMaxBitrate, RtcpPayloadSpecificFeedback, type RTCRtpTransceiver } from 'werift';
import type { MediaKind } from '../../../protocol/index.js';
import { DirectRtpSender } from './direct-rtp-sender.js';
import { extensionIdMap } from './header-extensions.js';
import type { JitteredTicker } from './jittered-ticker.js';
import { answerOffer, checkOffer } from './negotiate.js';
import { subscriberPeerConfig } from './peer-config.js';
import { PeerSession, type PeerTimeouts } from './peer-session.js';
import type { PublisherSession } from './publisher-session.js';
import type { SessionOwner } from './session-owner.js';
import type { SrtpOutputFactory } from './srtp-output.js';
import { type CongestionTimings, SubscriberCongestion } from './subscriber-congestion.js';
import { TrackForwarder } from './track-forwarder.js';

/** RTCP payload-specific feedback format of a Full Intra Request (RFC 5104). */
const FIR_FORMAT = 4;

/** How every subscriber session of an SFU is set up. */
export interface SubscriberSettings {
  timeouts: PeerTimeouts;
  srtpOutput: SrtpOutputFactory;
  congestion: CongestionTimings;
  /** Sends each session's sender reports. */
  senderReports: JitteredTicker;
}

/**
 * A WHEP session: one subscriber receiving one publisher. Video can be switched
 * off and on (PATCH) without renegotiation, and pauses while the subscriber's
 * bandwidth estimate cannot carry it; the session ends with its publisher.
 */
export class SubscriberSession extends PeerSession {
  /** The participant whose media this session receives. */
  readonly publisherId: string;
  private readonly forwarders: TrackForwarder[] = [];
  private readonly outs: DirectRtpSender[] = [];
  private readonly video?: TrackForwarder;
  private readonly disposers: (() => void)[] = [];
  private videoWanted: boolean;
  private readonly congestion: SubscriberCongestion;
  private congestionTimer?: NodeJS.Timeout;
  private stopReports?: () => void;
  /** The subscriber's latest REMB, in bit/s (0 before the first). */
  private estimateBps = 0;
  private sentBytesAtCheck = 0;
  private checkedAt = 0;

  static async open(owner: SessionOwner, publisher: PublisherSession, offerSdp: string, video: boolean, settings: SubscriberSettings) {
    checkOffer(offerSdp, 'subscribe');
    const pc = new RTCPeerConnection(subscriberPeerConfig(publisher.sources.video?.codec));
    // One stream id for both tracks, so the browser keeps them in lip sync.
    const stream = new MediaStream({ id: publisher.owner.claims.jti });
    for (const kind of ['audio', 'video'] as const) pc.addTransceiver(kind, { direction: 'sendonly', streams: [stream] });
    try {
      const answerSdp = await answerOffer(pc, offerSdp);
      return { session: new SubscriberSession(owner, pc, publisher, video, settings), answerSdp };
    } catch (err) {
      pc.close().catch(() => {});
      throw err;
    }
  }

  private constructor(
    owner: SessionOwner,
    pc: RTCPeerConnection,
    publisher: PublisherSession,
    video: boolean,
    private readonly settings: SubscriberSettings,
  ) {
    super(owner, pc, settings.timeouts);
    this.publisherId = publisher.owner.claims.jti;
    this.videoWanted = video;
    this.congestion = new SubscriberCongestion(settings.congestion);
    for (const t of pc.getTransceivers()) {
      const kind = t.kind as MediaKind;
      const source = publisher.sources[kind];
      if (!source || t.stopped || t.stopping || t.codecs.length === 0) continue;
      const out = new DirectRtpSender(t.sender, extensionIdMap(source.extensions, t.headerExtensions), source, settings.srtpOutput);
      const forwarder = new TrackForwarder(source, out, kind === 'audio' || video);
      this.outs.push(out);
      this.forwarders.push(forwarder);
      if (kind === 'video') this.video = forwarder;
      this.watchFeedback(t, out, kind === 'video' ? forwarder : undefined);
    }
    this.disposers.push(publisher.onClose(() => void this.close()));
  }

  /** Starts or stops video forwarding; audio is unaffected. */
  setVideo(enabled: boolean): void {
    this.videoWanted = enabled;
    this.applyVideo();
  }

  protected onConnected(): void {
    for (const forwarder of this.forwarders) forwarder.start();
    this.checkedAt = performance.now();
    this.congestionTimer = setInterval(() => this.checkCongestion(), this.settings.congestion.checkIntervalMs);
    // Both streams' reports go out together.
    this.stopReports = this.settings.senderReports.add(() => {
      for (const out of this.outs) out.sendReport();
    });
  }

  private applyVideo(): void {
    this.video?.setEnabled(this.videoWanted && !this.congestion.videoPaused);
  }

  private checkCongestion(): void {
    const now = performance.now();
    const sentBytes = this.outs.reduce((sum, out) => sum + out.sentBytes, 0);
    const sentBps = ((sentBytes - this.sentBytesAtCheck) * 8000) / Math.max(1, now - this.checkedAt);
    this.sentBytesAtCheck = sentBytes;
    this.checkedAt = now;
    if (this.congestion.check(sentBps, this.estimateBps, now) !== 'none') this.applyVideo();
  }

  protected release(): void {
    clearInterval(this.congestionTimer);
    this.stopReports?.();
    for (const forwarder of this.forwarders) forwarder.stop();
    for (const dispose of this.disposers) dispose();
  }

  /**
   * The subscriber's RTCP for one stream: NACKs are answered from the stream's
   * history, a REMB (werift hands it to the sender of the first SSRC it lists,
   * audio or video) becomes the session's estimate, and for video, since
   * werift ignores FIR and does not relay PLI, both become a (throttled) PLI
   * to the publisher.
   */
  private watchFeedback(t: RTCRtpTransceiver, out: DirectRtpSender, keyframes?: TrackForwarder): void {
    this.disposers.push(t.sender.onGenericNack.subscribe((nack) => out.retransmit(nack.lost)).unSubscribe);
    if (keyframes) this.disposers.push(t.sender.onPictureLossIndication.subscribe(() => keyframes.requestKeyframe()).unSubscribe);
    this.disposers.push(
      t.sender.onRtcp.subscribe((packet) => {
        if (!(packet instanceof RtcpPayloadSpecificFeedback)) return;
        if (packet.feedback instanceof ReceiverEstimatedMaxBitrate) this.estimateBps = Number(packet.feedback.bitrate);
        else if (keyframes && packet.feedback.count === FIR_FORMAT) keyframes.requestKeyframe();
      }).unSubscribe,
    );
  }
}
