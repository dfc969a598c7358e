import { MediaStream, RTCPeerConnection, RtcpPayloadSpecificFeedback, type RTCRtpTransceiver } from 'werift';
import type { MediaKind } from '../../../protocol/index.js';
import { DirectRtpSender } from './direct-rtp-sender.js';
import { extensionIdMap } from './header-extensions.js';
import { answerOffer, checkOffer } from './negotiate.js';
import { subscriberPeerConfig } from './peer-config.js';
import { PeerSession, type PeerTimeouts } from './peer-session.js';
import type { PublisherSession } from './publisher-session.js';
import type { SessionOwner } from './session-owner.js';
import type { SrtpOutputFactory } from './srtp-output.js';
import { TrackForwarder } from './track-forwarder.js';

/** RTCP payload-specific feedback format of a Full Intra Request (RFC 5104). */
const FIR_FORMAT = 4;

/**
 * A WHEP session: one subscriber receiving one publisher. Video can be switched
 * off and on (PATCH) without renegotiation; the session ends with its publisher.
 */
export class SubscriberSession extends PeerSession {
  private readonly forwarders: TrackForwarder[] = [];
  private readonly video?: TrackForwarder;
  private readonly disposers: (() => void)[] = [];

  static async open(owner: SessionOwner, publisher: PublisherSession, offerSdp: string, video: boolean, timeouts: PeerTimeouts, output: SrtpOutputFactory) {
    checkOffer(offerSdp, 'subscribe');
    const pc = new RTCPeerConnection(subscriberPeerConfig(publisher.sources.video?.codec));
    // One stream id for both tracks, so the browser keeps them in lip sync.
    const stream = new MediaStream({ id: publisher.owner.claims.jti });
    for (const kind of ['audio', 'video'] as const) pc.addTransceiver(kind, { direction: 'sendonly', streams: [stream] });
    try {
      const answerSdp = await answerOffer(pc, offerSdp);
      return { session: new SubscriberSession(owner, pc, publisher, video, timeouts, output), answerSdp };
    } catch (err) {
      pc.close().catch(() => {});
      throw err;
    }
  }

  private constructor(owner: SessionOwner, pc: RTCPeerConnection, publisher: PublisherSession, video: boolean, timeouts: PeerTimeouts, output: SrtpOutputFactory) {
    super(owner, pc, timeouts);
    for (const t of pc.getTransceivers()) {
      const kind = t.kind as MediaKind;
      const source = publisher.sources[kind];
      if (!source || t.stopped || t.stopping || t.codecs.length === 0) continue;
      const out = new DirectRtpSender(t.sender, extensionIdMap(source.extensions, t.headerExtensions), source, output);
      const forwarder = new TrackForwarder(source, out, kind === 'audio' || video);
      this.forwarders.push(forwarder);
      if (kind === 'video') {
        this.video = forwarder;
        this.relayKeyframeRequests(t, forwarder);
      }
    }
    this.disposers.push(publisher.onClose(() => void this.close()));
  }

  /** Starts or stops video forwarding; audio is unaffected. */
  setVideo(enabled: boolean): void {
    this.video?.setEnabled(enabled);
  }

  protected onConnected(): void {
    for (const forwarder of this.forwarders) forwarder.start();
  }

  protected release(): void {
    for (const forwarder of this.forwarders) forwarder.stop();
    for (const dispose of this.disposers) dispose();
  }

  // werift ignores FIR and does not relay PLI, so both become a (throttled) PLI to the publisher.
  private relayKeyframeRequests(t: RTCRtpTransceiver, forwarder: TrackForwarder): void {
    this.disposers.push(t.sender.onPictureLossIndication.subscribe(() => forwarder.requestKeyframe()).unSubscribe);
    this.disposers.push(
      t.sender.onRtcp.subscribe((packet) => {
        if (packet instanceof RtcpPayloadSpecificFeedback && packet.feedback.count === FIR_FORMAT) forwarder.requestKeyframe();
      }).unSubscribe,
    );
  }
}
