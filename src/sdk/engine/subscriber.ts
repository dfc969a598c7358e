import type { MediaKind, SubscriptionUpdate } from '../../protocol/index.js';
import { NegotiatedConnection } from './negotiated-connection.js';
import { REQUEST_TIMEOUT_MS } from './sdp-exchange.js';

/**
 * One WHEP session receiving one remote participant. It always negotiates
 * audio and video so switching between audio-only and audio-video is a PATCH
 * to the server, not a renegotiation.
 */
export class Subscriber extends NegotiatedConnection {
  private readonly receivers = new Map<MediaKind, RTCRtpReceiver>();

  constructor(
    private readonly endpoint: string,
    token: string,
    onFailed: () => void,
    /** Minimum playout delay to ask of the receivers, or undefined for the browser's default. */
    jitterBufferTargetMs?: number,
  ) {
    super(token, onFailed);
    for (const kind of ['audio', 'video'] as const) {
      const { receiver } = this.pc.addTransceiver(kind, { direction: 'recvonly' });
      if (jitterBufferTargetMs !== undefined && 'jitterBufferTarget' in receiver) receiver.jitterBufferTarget = jitterBufferTargetMs;
      this.receivers.set(kind, receiver);
    }
  }

  track(kind: MediaKind): MediaStreamTrack {
    return this.receivers.get(kind)!.track;
  }

  getStats(kind: MediaKind): Promise<RTCStatsReport> {
    return this.receivers.get(kind)!.getStats();
  }

  start(video: boolean): Promise<void> {
    return this.negotiate(video ? this.endpoint : `${this.endpoint}?video=false`);
  }

  async setVideo(video: boolean): Promise<void> {
    if (!this.resource) throw new Error('subscription has not started');
    const update: SubscriptionUpdate = { video };
    const response = await fetch(this.resource, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: JSON.stringify(update),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`subscription update answered ${response.status}`);
  }
}
