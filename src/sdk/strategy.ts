import type { SubscribeType } from './enums.js';
import type { StageParticipantInfo } from './participant-info.js';
import type { LocalStageStream } from './streams/local-stage-stream.js';
import type { RemoteStageStream, StageStreamLayer } from './streams/remote-stage-stream.js';
import type { SubscribeConfiguration } from './subscribe-configuration.js';

/** What the application wants; the stage asks it and applies only the differences. */
export interface StageStrategy {
  stageStreamsToPublish(): LocalStageStream[];
  shouldPublishParticipant(participant: StageParticipantInfo): boolean;
  shouldSubscribeToParticipant(participant: StageParticipantInfo): SubscribeType;
  /** Asked when subscribing to a participant; tunes how its media is received. */
  subscribeConfiguration?(participant: StageParticipantInfo): SubscribeConfiguration;
  /** The simulcast layer to receive, or null to let the server choose; accepted for IVS code, unused while streams have one layer. */
  preferredLayerForStream?(participant: StageParticipantInfo, stream: RemoteStageStream): StageStreamLayer | null | undefined;
}
