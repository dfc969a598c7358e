export { Stage, type StageConfiguration } from './stage.js';
export { StageParticipantInfo } from './participant-info.js';
export type { ParticipantCapability } from './participant-info.js';
export type { StageStrategy } from './strategy.js';
export { JitterBufferMinDelay } from './subscribe-configuration.js';
export type { JitterBufferConfiguration, SubscribeConfiguration } from './subscribe-configuration.js';
export { StageStream } from './streams/stage-stream.js';
export { LocalStageStream } from './streams/local-stage-stream.js';
export type { LocalStageStreamOptions } from './streams/stream-options.js';
export { RemoteStageStream } from './streams/remote-stage-stream.js';
export type { StageStreamLayer } from './streams/remote-stage-stream.js';
export {
  StageConnectionState,
  StageEvents,
  StageLeftReason,
  StageParticipantPublishState,
  StageParticipantSubscribeState,
  StreamType,
  SubscribeType,
} from './enums.js';
export { StageError, StageErrorCategory, StageErrorCode } from './errors.js';
export { __version } from './version.js';
