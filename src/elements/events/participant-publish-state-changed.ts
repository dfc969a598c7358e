import type { StageParticipantInfo, StageParticipantPublishState } from '../../sdk/index.js';
import { IvsEvent } from './ivs-event.js';

export interface IvsParticipantPublishStateChangedEventDetail {
  /** The participant the event is about. */
  participant: StageParticipantInfo;
  /** The participant's new publish state. */
  state: StageParticipantPublishState;
}

/** A participant started, stopped or failed publishing. */
export class IvsParticipantPublishStateChangedEvent extends IvsEvent<IvsParticipantPublishStateChangedEventDetail> {
  constructor(detail: IvsParticipantPublishStateChangedEventDetail) {
    super('ivs-participant-publish-state-changed', detail);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ivs-participant-publish-state-changed': IvsParticipantPublishStateChangedEvent;
  }
}
