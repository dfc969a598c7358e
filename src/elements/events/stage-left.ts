import type { StageLeftReason } from '../../sdk/index.js';
import { IvsEvent } from './ivs-event.js';

export interface IvsStageLeftEventDetail {
  /** Why the stage was left. */
  reason: StageLeftReason;
}

/** The local participant left the stage (user action, disconnect, reuse of the token …). */
export class IvsStageLeftEvent extends IvsEvent<IvsStageLeftEventDetail> {
  constructor(detail: IvsStageLeftEventDetail) {
    super('ivs-stage-left', detail);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ivs-stage-left': IvsStageLeftEvent;
  }
}
