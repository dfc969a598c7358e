import type { MediaKind } from '../protocol/index.js';
import { StageErrorCategory, StageErrorCode, StageError } from './errors.js';
import { SubscribeType } from './enums.js';
import type { StageParticipantInfo } from './participant-info.js';
import type { StageStrategy } from './strategy.js';
import { LocalStageStream } from './streams/local-stage-stream.js';

const SUBSCRIBE_TYPES = new Set<string>(Object.values(SubscribeType));

/** The streams the strategy wants published, one per kind; empty when the participant should not publish. */
export function desiredPublication(strategy: StageStrategy, local: StageParticipantInfo): Map<MediaKind, LocalStageStream> {
  const streams = new Map<MediaKind, LocalStageStream>();
  if (!local.capabilities.has('publish') || !strategy.shouldPublishParticipant(local)) return streams;
  const offered = strategy.stageStreamsToPublish();
  if (!Array.isArray(offered)) throw publishError('stageStreamsToPublish must return an array of LocalStageStream');
  for (const stream of offered) {
    if (!(stream instanceof LocalStageStream)) throw publishError('stageStreamsToPublish returned something that is not a LocalStageStream');
    if (streams.has(stream.streamType)) throw publishError(`stageStreamsToPublish returned more than one ${stream.streamType} stream`);
    streams.set(stream.streamType, stream);
  }
  return streams;
}

/** The subscription the strategy wants for a remote participant, validated. */
export function desiredSubscription(strategy: StageStrategy, local: StageParticipantInfo, remote: StageParticipantInfo): SubscribeType {
  if (!local.capabilities.has('subscribe')) return SubscribeType.NONE;
  const type = strategy.shouldSubscribeToParticipant(remote);
  if (!SUBSCRIBE_TYPES.has(type)) {
    throw new StageError(StageErrorCode.FAILED, StageErrorCategory.SUBSCRIBE_ERROR, `shouldSubscribeToParticipant returned ${String(type)}, not a SubscribeType`, {
      participantId: remote.id,
    });
  }
  return type;
}

/** The kinds a subscription of `type` carries from a participant publishing `kinds`. */
export function subscribedKinds(type: SubscribeType, kinds: readonly MediaKind[]): MediaKind[] {
  if (type === SubscribeType.NONE) return [];
  return kinds.filter((kind) => kind === 'audio' || type === SubscribeType.AUDIO_VIDEO);
}

export function sameStreams(a: Map<MediaKind, LocalStageStream>, b: Map<MediaKind, LocalStageStream>): boolean {
  return a.size === b.size && [...a].every(([kind, stream]) => b.get(kind) === stream);
}

function publishError(message: string): StageError {
  return new StageError(StageErrorCode.FAILED, StageErrorCategory.PUBLISH_ERROR, message);
}
