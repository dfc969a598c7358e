import type { StageParticipantInfo } from '../../sdk/index.js';
import { IvsEvent } from './ivs-event.js';

export interface IvsParticipantLeftEventDetail {
  /** The participant the event is about. */
  participant: StageParticipantInfo;
}

/** A participant left the stage. */
export class IvsParticipantLeftEvent extends IvsEvent<IvsParticipantLeftEventDetail> {
  constructor(detail: IvsParticipantLeftEventDetail) {
    super('ivs-participant-left', detail);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ivs-participant-left': IvsParticipantLeftEvent;
  }
}
