import type { StageParticipantInfo, StageParticipantSubscribeState } from '../../sdk/index.js';
import { IvsEvent } from './ivs-event.js';

export interface IvsParticipantSubscribeStateChangedEventDetail {
  /** The participant the event is about. */
  participant: StageParticipantInfo;
  /** The local subscription state for that participant. */
  state: StageParticipantSubscribeState;
}

/** The local client started, stopped or failed subscribing to a participant. */
export class IvsParticipantSubscribeStateChangedEvent extends IvsEvent<IvsParticipantSubscribeStateChangedEventDetail> {
  constructor(detail: IvsParticipantSubscribeStateChangedEventDetail) {
    super('ivs-participant-subscribe-state-changed', detail);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ivs-participant-subscribe-state-changed': IvsParticipantSubscribeStateChangedEvent;
  }
}
