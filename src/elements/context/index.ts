export { stageContext } from './stage-context.js';
export { StageHandle, HANDLE_STAGE_CHANGED, HANDLE_MARKUP_CHANGED, ALL_HANDLE_EVENTS } from './stage-handle.js';
export type { LocalStreamSource, ParticipantEntry, PlacedTile, StageListener, SubscribeRuleSource } from './stage-handle.js';
