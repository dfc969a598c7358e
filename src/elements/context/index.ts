export { stageContext } from './stage-context.js';
export { StageHandle, HANDLE_STAGE_CHANGED, ALL_HANDLE_EVENTS } from './stage-handle.js';
export type { LocalStreamSource, ParticipantEntry, StageListener } from './stage-handle.js';
