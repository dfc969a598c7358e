import { StageEvents } from '../../sdk/index.js';
import type {
  StageConnectionState,
  StageError,
  StageLeftReason,
  StageParticipantInfo,
  StageParticipantPublishState,
  StageParticipantSubscribeState,
  StageStream,
  StageStreamLayer,
} from '../../sdk/index.js';
import { IvsConnectionStateChangedEvent } from './connection-state-changed.js';
import { IvsErrorEvent } from './error.js';
import type { IvsEvent } from './ivs-event.js';
import { IvsParticipantJoinedEvent } from './participant-joined.js';
import { IvsParticipantLeftEvent } from './participant-left.js';
import { IvsParticipantMetadataChangedEvent } from './participant-metadata-changed.js';
import { IvsParticipantPublishStateChangedEvent } from './participant-publish-state-changed.js';
import { IvsParticipantSubscribeStateChangedEvent } from './participant-subscribe-state-changed.js';
import { IvsStageLeftEvent } from './stage-left.js';
import { IvsStreamAdaptionChangedEvent } from './stream-adaption-changed.js';
import { IvsStreamLayerSelectedEvent } from './stream-layer-selected.js';
import { IvsStreamLayersChangedEvent } from './stream-layers-changed.js';
import { IvsStreamMuteChangedEvent } from './stream-mute-changed.js';
import { IvsStreamsAddedEvent } from './streams-added.js';
import { IvsStreamsRemovedEvent } from './streams-removed.js';

type Info = StageParticipantInfo;

/**
 * Turns one SDK event (positional listener arguments) into the matching
 * `ivs-*` DOM event whose `detail` names those arguments. Unknown event names
 * (an application's own `stage.emit('x')`) give `undefined`.
 */
export function domEventForStageEvent(event: string, args: readonly unknown[]): IvsEvent<unknown> | undefined {
  const a = args as unknown[];
  switch (event) {
    case StageEvents.STAGE_CONNECTION_STATE_CHANGED:
      return new IvsConnectionStateChangedEvent({ state: a[0] as StageConnectionState });
    case StageEvents.STAGE_PARTICIPANT_JOINED:
      return new IvsParticipantJoinedEvent({ participant: a[0] as Info });
    case StageEvents.STAGE_PARTICIPANT_LEFT:
      return new IvsParticipantLeftEvent({ participant: a[0] as Info });
    case StageEvents.STAGE_PARTICIPANT_METADATA_CHANGED:
      return new IvsParticipantMetadataChangedEvent({ participant: a[0] as Info });
    case StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED:
      return new IvsParticipantPublishStateChangedEvent({
        participant: a[0] as Info,
        state: a[1] as StageParticipantPublishState,
      });
    case StageEvents.STAGE_PARTICIPANT_SUBSCRIBE_STATE_CHANGED:
      return new IvsParticipantSubscribeStateChangedEvent({
        participant: a[0] as Info,
        state: a[1] as StageParticipantSubscribeState,
      });
    case StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED:
      return new IvsStreamsAddedEvent({ participant: a[0] as Info, streams: a[1] as StageStream[] });
    case StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED:
      return new IvsStreamsRemovedEvent({ participant: a[0] as Info, streams: a[1] as StageStream[] });
    case StageEvents.STAGE_STREAM_MUTE_CHANGED:
      return new IvsStreamMuteChangedEvent({ participant: a[0] as Info, stream: a[1] as StageStream });
    case StageEvents.STAGE_STREAM_LAYERS_CHANGED:
      return new IvsStreamLayersChangedEvent({
        participant: a[0] as Info,
        stream: a[1] as StageStream,
        layers: a[2] as StageStreamLayer[],
      });
    case StageEvents.STAGE_STREAM_LAYER_SELECTED:
      return new IvsStreamLayerSelectedEvent({
        participant: a[0] as Info,
        stream: a[1] as StageStream,
        layer: a[2] as StageStreamLayer | undefined,
        reason: a[3] as string,
      });
    case StageEvents.STAGE_STREAM_ADAPTION_CHANGED:
      return new IvsStreamAdaptionChangedEvent({
        participant: a[0] as Info,
        stream: a[1] as StageStream,
        adapting: a[2] as boolean,
      });
    case StageEvents.STAGE_LEFT:
      return new IvsStageLeftEvent({ reason: a[0] as StageLeftReason });
    case StageEvents.ERROR:
      return new IvsErrorEvent({ error: a[0] as StageError });
    default:
      return undefined;
  }
}
