import { type MediaKind, type WireParticipant, whepUrlFor } from '../protocol/index.js';
import type { MediaEngine, SubscribeConnection } from './engine/media-engine.js';
import { StageEvents, StageParticipantPublishState, StageParticipantSubscribeState, SubscribeType } from './enums.js';
import { StageError, StageErrorCategory, StageErrorCode } from './errors.js';
import { subscribedKinds } from './desired-state.js';
import { StageParticipantInfo } from './participant-info.js';
import { RemoteStageStream } from './streams/remote-stage-stream.js';

export type Emit = (event: StageEvents, ...args: unknown[]) => void;

interface Subscription {
  type: SubscribeType;
  subscriber: SubscribeConnection;
  streams: Map<MediaKind, RemoteStageStream>;
  /** The connection is up; streams exist from here on. */
  ready: boolean;
}

/** One remote participant: what the server says of it, and our subscription to it. */
export class RemoteParticipant {
  readonly info: StageParticipantInfo;
  private kinds: MediaKind[];
  private subscription?: Subscription;

  constructor(
    wire: WireParticipant,
    private readonly whipUrl: string,
    /** The current participant token (it changes with exchangeToken). */
    private readonly token: () => string,
    private readonly emit: Emit,
    private readonly onSubscriptionFailed: () => void,
    private readonly engine: MediaEngine,
  ) {
    this.info = StageParticipantInfo.fromWire(wire);
    this.kinds = wire.kinds;
  }

  get subscribeType(): SubscribeType {
    return this.subscription?.type ?? SubscribeType.NONE;
  }

  /** Applies a server update and emits what changed: metadata, publish state, then mute state. */
  update(wire: WireParticipant): void {
    const { info } = this;
    if (info.applyMetadata(wire.userId, wire.attributes, wire.capabilities)) {
      this.emit(StageEvents.STAGE_PARTICIPANT_METADATA_CHANGED, info);
    }
    this.kinds = wire.kinds;
    if (info.isPublishing !== wire.published) {
      info.isPublishing = wire.published;
      this.emit(
        StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED,
        info,
        wire.published ? StageParticipantPublishState.PUBLISHED : StageParticipantPublishState.NOT_PUBLISHED,
      );
    }
    const audioChanged = info.audioMuted !== wire.audioMuted;
    const videoChanged = info.videoStopped !== wire.videoMuted;
    info.audioMuted = wire.audioMuted;
    info.videoStopped = wire.videoMuted;
    if (audioChanged) this.muteChanged('audio', wire.audioMuted);
    if (videoChanged) this.muteChanged('video', wire.videoMuted);
  }

  /**
   * Moves the subscription to `wanted`, which the SDK applies only once the
   * participant publishes. `jitterTargetMs` is asked only when a subscription starts.
   */
  async reconcile(wanted: SubscribeType, jitterTargetMs: () => number | undefined): Promise<void> {
    const target = this.info.isPublishing ? wanted : SubscribeType.NONE;
    const current = this.subscribeType;
    if (target === current) return this.followKinds();
    if (target === SubscribeType.NONE) return this.unsubscribe();
    if (current === SubscribeType.NONE) return this.subscribe(target, jitterTargetMs());
    return this.switchVideo(target);
  }

  /** Ends the subscription, emitting STREAMS_REMOVED for what it carried. */
  unsubscribe(): void {
    const subscription = this.subscription;
    if (!subscription) return;
    this.subscription = undefined;
    subscription.subscriber.close();
    const streams = [...subscription.streams.values()];
    if (streams.length) this.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED, this.info, streams);
    this.emit(StageEvents.STAGE_PARTICIPANT_SUBSCRIBE_STATE_CHANGED, this.info, StageParticipantSubscribeState.NOT_SUBSCRIBED);
  }

  private async subscribe(type: SubscribeType, jitterTargetMs: number | undefined): Promise<void> {
    // A connection that fails later is dropped, so the refresh that follows subscribes anew.
    const failed = () => {
      if (this.subscription !== subscription) return;
      this.unsubscribe();
      this.onSubscriptionFailed();
    };
    const subscriber = this.engine.subscriber(whepUrlFor(this.whipUrl, this.info.id), this.token(), failed, jitterTargetMs);
    const subscription: Subscription = { type, subscriber, streams: new Map(), ready: false };
    this.subscription = subscription;
    this.emit(StageEvents.STAGE_PARTICIPANT_SUBSCRIBE_STATE_CHANGED, this.info, StageParticipantSubscribeState.ATTEMPTING_SUBSCRIBE);
    try {
      await subscriber.start(type === SubscribeType.AUDIO_VIDEO);
    } catch (cause) {
      if (this.subscription !== subscription) return;
      this.subscription = undefined;
      subscriber.close();
      this.emit(StageEvents.STAGE_PARTICIPANT_SUBSCRIBE_STATE_CHANGED, this.info, StageParticipantSubscribeState.ERRORED);
      this.emit(
        StageEvents.ERROR,
        new StageError(StageErrorCode.FAILED, StageErrorCategory.SUBSCRIBE_ERROR, `could not subscribe to ${this.info.id}: ${String(cause)}`, {
          participantId: this.info.id,
          cause,
        }),
      );
      return;
    }
    if (this.subscription !== subscription) return;
    subscription.ready = true;
    this.emit(StageEvents.STAGE_PARTICIPANT_SUBSCRIBE_STATE_CHANGED, this.info, StageParticipantSubscribeState.SUBSCRIBED);
    this.followKinds();
  }

  private async switchVideo(type: SubscribeType): Promise<void> {
    const subscription = this.subscription!;
    const video = type === SubscribeType.AUDIO_VIDEO;
    subscription.type = type;
    await subscription.subscriber.setVideo(video);
    if (this.subscription === subscription) this.followKinds();
  }

  /** Once subscribed, the streams follow what the participant publishes and what the subscription carries. */
  private followKinds(): void {
    const subscription = this.subscription;
    if (!subscription?.ready) return;
    const wanted = subscribedKinds(subscription.type, this.kinds);
    const removed = [...subscription.streams].filter(([kind]) => !wanted.includes(kind));
    for (const [kind] of removed) subscription.streams.delete(kind);
    if (removed.length) this.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED, this.info, removed.map(([, stream]) => stream));
    this.addStreams(wanted.filter((kind) => !subscription.streams.has(kind)));
  }

  private addStreams(kinds: MediaKind[]): void {
    const subscription = this.subscription!;
    const added = kinds.map((kind) => {
      const stream = new RemoteStageStream(subscription.subscriber.track(kind));
      stream._setMuted(kind === 'audio' ? this.info.audioMuted : this.info.videoStopped);
      stream._setStatsSource(() => subscription.subscriber.getStats(kind));
      subscription.streams.set(kind, stream);
      return stream;
    });
    if (added.length) this.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, this.info, added);
  }

  private muteChanged(kind: MediaKind, muted: boolean): void {
    const stream = this.subscription?.streams.get(kind);
    if (!stream) return;
    stream._setMuted(muted);
    this.emit(StageEvents.STAGE_STREAM_MUTE_CHANGED, this.info, stream);
  }
}
