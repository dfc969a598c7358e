import type { MediaKind } from '../../protocol/index.js';
import type { LocalStageStream } from '../streams/local-stage-stream.js';
import { Publisher } from './publisher.js';
import { Subscriber } from './subscriber.js';

/** One WHIP session sending the local participant's streams. */
export interface PublishConnection {
  start(streams: Map<MediaKind, LocalStageStream>): Promise<void>;
  /** True when `streams` can be sent by swapping tracks only. */
  canReplace(streams: Map<MediaKind, LocalStageStream>): boolean;
  replace(streams: Map<MediaKind, LocalStageStream>): Promise<void>;
  close(): void;
}

/** One WHEP session receiving one remote participant. */
export interface SubscribeConnection {
  start(video: boolean): Promise<void>;
  setVideo(video: boolean): Promise<void>;
  track(kind: MediaKind): MediaStreamTrack;
  getStats(kind: MediaKind): Promise<RTCStatsReport>;
  close(): void;
}

/**
 * Where the reconciler gets its connections: WebRTC in the browser, a fake in
 * the reconciler's unit tests, so its logic is tested without a network.
 */
export interface MediaEngine {
  publisher(endpoint: string, token: string, onFailed: () => void): PublishConnection;
  subscriber(endpoint: string, token: string, onFailed: () => void, jitterBufferTargetMs?: number): SubscribeConnection;
}

export const webRtcEngine: MediaEngine = {
  publisher: (endpoint, token, onFailed) => new Publisher(endpoint, token, onFailed),
  subscriber: (endpoint, token, onFailed, jitterBufferTargetMs) => new Subscriber(endpoint, token, onFailed, jitterBufferTargetMs),
};
