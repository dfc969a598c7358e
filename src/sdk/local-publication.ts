import type { ClientMessage, MediaKind } from '../protocol/index.js';
import { SdpExchangeError } from './engine/sdp-exchange.js';
import type { MediaEngine, PublishConnection } from './engine/media-engine.js';
import { sameStreams } from './desired-state.js';
import { StageEvents, StageParticipantPublishState } from './enums.js';
import { StageError, StageErrorCategory, StageErrorCode } from './errors.js';
import type { StageParticipantInfo } from './participant-info.js';
import type { Emit } from './remote-participant.js';
import type { LocalStageStream } from './streams/local-stage-stream.js';

/** The local participant's publication: one WHIP session and the streams it carries. */
export class LocalPublication {
  private publisher?: PublishConnection;
  private streams = new Map<MediaKind, LocalStageStream>();
  private readonly unfollow = new Map<MediaKind, () => void>();
  /** Mute state the server has been told, per kind (it starts unmuted). */
  private readonly signalled = new Map<MediaKind, boolean>([
    ['audio', false],
    ['video', false],
  ]);

  constructor(
    private readonly info: StageParticipantInfo,
    private readonly whipUrl: string,
    /** The current participant token (it changes with exchangeToken). */
    private readonly token: () => string,
    private readonly emit: Emit,
    private readonly signal: (message: ClientMessage) => void,
    private readonly onFailed: () => void,
    private readonly engine: MediaEngine,
  ) {}

  /** Publishes exactly `wanted`, swapping tracks where the kinds stay the same. */
  async reconcile(wanted: Map<MediaKind, LocalStageStream>): Promise<void> {
    if (sameStreams(wanted, this.streams)) return;
    if (wanted.size === 0) return this.unpublish();
    if (this.publisher?.canReplace(wanted)) return this.replace(wanted);
    this.unpublish();
    await this.publish(wanted);
  }

  unpublish(): void {
    if (!this.publisher) return;
    this.publisher.close();
    this.publisher = undefined;
    const removed = [...this.streams.values()];
    this.setStreams(new Map());
    this.info.isPublishing = false;
    if (removed.length) this.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED, this.info, removed);
    this.emit(StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, this.info, StageParticipantPublishState.NOT_PUBLISHED);
  }

  private async publish(wanted: Map<MediaKind, LocalStageStream>): Promise<void> {
    // A connection that fails later is dropped, so the refresh that follows publishes anew.
    const publisher: PublishConnection = this.engine.publisher(this.whipUrl, this.token(), () => {
      if (this.publisher !== publisher) return;
      this.unpublish();
      this.onFailed();
    });
    this.publisher = publisher;
    this.emit(StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, this.info, StageParticipantPublishState.ATTEMPTING_PUBLISH);
    try {
      await publisher.start(wanted);
    } catch (cause) {
      publisher.close();
      if (this.publisher === publisher) this.publisher = undefined;
      this.emit(StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, this.info, StageParticipantPublishState.ERRORED);
      this.emit(
        StageEvents.ERROR,
        new StageError(
          publishErrorCode(cause),
          StageErrorCategory.PUBLISH_ERROR,
          `could not publish: ${String(cause)}`,
          { participantId: this.info.id, cause },
        ),
      );
      return;
    }
    if (this.publisher !== publisher) return;
    this.setStreams(wanted);
    this.info.isPublishing = true;
    this.emit(StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, this.info, StageParticipantPublishState.PUBLISHED);
    this.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, this.info, [...wanted.values()]);
  }

  private async replace(wanted: Map<MediaKind, LocalStageStream>): Promise<void> {
    const removed = [...this.streams].filter(([kind, stream]) => wanted.get(kind) !== stream).map(([, s]) => s);
    const added = [...wanted].filter(([kind, stream]) => this.streams.get(kind) !== stream).map(([, s]) => s);
    await this.publisher!.replace(wanted);
    this.setStreams(wanted);
    if (removed.length) this.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED, this.info, removed);
    if (added.length) this.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, this.info, added);
  }

  /** Follows each published stream's mute state, telling the server and the app. */
  private setStreams(streams: Map<MediaKind, LocalStageStream>): void {
    for (const stop of this.unfollow.values()) stop();
    this.unfollow.clear();
    this.streams = new Map(streams);
    for (const [kind, stream] of streams) {
      this.unfollow.set(kind, stream._onMuteChanged(() => this.muteChanged(kind, stream)));
      this.applyMute(kind, stream);
    }
  }

  private muteChanged(kind: MediaKind, stream: LocalStageStream): void {
    this.applyMute(kind, stream);
    this.emit(StageEvents.STAGE_STREAM_MUTE_CHANGED, this.info, stream);
  }

  /** Tells the server only what it does not know yet, so a swapped stream with the same state costs nothing. */
  private applyMute(kind: MediaKind, stream: LocalStageStream): void {
    if (kind === 'audio') this.info.audioMuted = stream.isMuted;
    else this.info.videoStopped = stream.isMuted;
    if (this.signalled.get(kind) === stream.isMuted) return;
    this.signalled.set(kind, stream.isMuted);
    this.signal({ type: 'mute', kind, muted: stream.isMuted });
  }
}

/** What a refused publish means for the app: the server's reason when it gave one. */
function publishErrorCode(cause: unknown): StageErrorCode {
  if (!(cause instanceof SdpExchangeError)) return StageErrorCode.FAILED;
  if (cause.status === 403) return StageErrorCode.TOKEN_NOT_ALLOWED;
  if (cause.body.startsWith('stage-at-capacity')) return StageErrorCode.STAGE_AT_CAPACITY;
  if (cause.body.startsWith('stage-not-found')) return StageErrorCode.STAGE_DELETED;
  if (cause.status === 401) return cause.body.includes('expired') ? StageErrorCode.TOKEN_EXPIRED : StageErrorCode.TOKEN_MALFORMED;
  return StageErrorCode.FAILED;
}
