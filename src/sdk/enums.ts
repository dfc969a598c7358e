/* The string values below are the public contract shared with the IVS Web SDK. */

export enum StageConnectionState {
  DISCONNECTED = 'disconnected',
  CONNECTING = 'connecting',
  CONNECTED = 'connected',
  ERRORED = 'errored',
}

export enum StageParticipantPublishState {
  NOT_PUBLISHED = 'not_published',
  ATTEMPTING_PUBLISH = 'attempting_publish',
  PUBLISHED = 'published',
  ERRORED = 'errored',
}

export enum StageParticipantSubscribeState {
  NOT_SUBSCRIBED = 'not_subscribed',
  ATTEMPTING_SUBSCRIBE = 'attempting_subscribe',
  SUBSCRIBED = 'subscribed',
  ERRORED = 'errored',
}

export enum SubscribeType {
  NONE = 'none',
  AUDIO_ONLY = 'audio_only',
  AUDIO_VIDEO = 'audio_video',
}

export enum StreamType {
  AUDIO = 'audio',
  VIDEO = 'video',
}

export enum StageLeftReason {
  UNKNOWN = 'unknown',
  USER_INITIATED = 'user-initiated',
  TOKEN_REUSED = 'token-reused',
  PARTICIPANT_DISCONNECTED = 'participant-disconnected',
  STAGE_DELETED = 'stage-deleted',
  FAILED_EXCHANGE = 'failed-exchange',
}

export enum StageEvents {
  STAGE_CONNECTION_STATE_CHANGED = 'stageConnectionStateChanged',
  STAGE_PARTICIPANT_JOINED = 'stageParticipantJoined',
  STAGE_PARTICIPANT_LEFT = 'stageParticipantLeft',
  STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED = 'stageParticipantPublishStateChanged',
  STAGE_PARTICIPANT_SUBSCRIBE_STATE_CHANGED = 'stageParticipantSubscribeStateChanged',
  STAGE_PARTICIPANT_STREAMS_ADDED = 'stageParticipantStreamsAdded',
  STAGE_PARTICIPANT_STREAMS_REMOVED = 'stageParticipantStreamsRemoved',
  STAGE_STREAM_MUTE_CHANGED = 'stageStreamMuteChanged',
  STAGE_STREAM_LAYERS_CHANGED = 'stageStreamLayersChanged',
  STAGE_STREAM_LAYER_SELECTED = 'stageStreamLayerSelected',
  STAGE_STREAM_ADAPTION_CHANGED = 'stageStreamAdaptionChanged',
  STAGE_PARTICIPANT_METADATA_CHANGED = 'stageParticipantMetadataChanged',
  STAGE_LEFT = 'stageLeft',
  ERROR = 'error',
}
