import type { StageParticipantInfo } from '../../sdk/index.js';
import { IvsEvent } from './ivs-event.js';

export interface IvsParticipantJoinedEventDetail {
  /** The participant the event is about. */
  participant: StageParticipantInfo;
}

/** A participant joined; fired for the local participant too (`participant.isLocal`). */
export class IvsParticipantJoinedEvent extends IvsEvent<IvsParticipantJoinedEventDetail> {
  constructor(detail: IvsParticipantJoinedEventDetail) {
    super('ivs-participant-joined', detail);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ivs-participant-joined': IvsParticipantJoinedEvent;
  }
}
