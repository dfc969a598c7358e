import type { MediaKind, SubscriptionUpdate } from '../../protocol/index.js';
import { connected, deleteResource, iceGatheringComplete, postOffer } from './sdp-exchange.js';

/**
 * One WHEP session receiving one remote participant. It always negotiates
 * audio and video so switching between audio-only and audio-video is a PATCH
 * to the server, not a renegotiation.
 */
export class Subscriber {
  private readonly pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  private readonly receivers = new Map<MediaKind, RTCRtpReceiver>();
  private resource?: string;
  private closed = false;

  constructor(
    private readonly endpoint: string,
    private readonly token: string,
    private readonly onFailed: () => void,
    /** Minimum playout delay to ask of the receivers, or undefined for the browser's default. */
    jitterBufferTargetMs?: number,
  ) {
    for (const kind of ['audio', 'video'] as const) {
      const { receiver } = this.pc.addTransceiver(kind, { direction: 'recvonly' });
      if (jitterBufferTargetMs !== undefined && 'jitterBufferTarget' in receiver) receiver.jitterBufferTarget = jitterBufferTargetMs;
      this.receivers.set(kind, receiver);
    }
    this.pc.addEventListener('connectionstatechange', () => {
      if (this.pc.connectionState === 'failed' && !this.closed) this.onFailed();
    });
  }

  track(kind: MediaKind): MediaStreamTrack {
    return this.receivers.get(kind)!.track;
  }

  getStats(kind: MediaKind): Promise<RTCStatsReport> {
    return this.receivers.get(kind)!.getStats();
  }

  async start(video: boolean): Promise<void> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await iceGatheringComplete(this.pc);
    const url = video ? this.endpoint : `${this.endpoint}?video=false`;
    const { answer, resource } = await postOffer(url, this.token, this.pc.localDescription!.sdp);
    this.resource = resource;
    if (this.closed) return this.close();
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answer });
    await connected(this.pc);
  }

  async setVideo(video: boolean): Promise<void> {
    if (!this.resource) throw new Error('subscription has not started');
    const update: SubscriptionUpdate = { video };
    const response = await fetch(this.resource, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: JSON.stringify(update),
    });
    if (!response.ok) throw new Error(`subscription update answered ${response.status}`);
  }

  close(): void {
    if (this.closed && !this.resource) return;
    this.closed = true;
    if (this.resource) deleteResource(this.resource, this.token);
    this.resource = undefined;
    this.pc.close();
  }
}
