import type { StageParticipantInfo } from '../../sdk/index.js';
import { IvsEvent } from './ivs-event.js';

export interface IvsParticipantMetadataChangedEventDetail {
  /** The participant the event is about. */
  participant: StageParticipantInfo;
}

/** A participant's user id or attributes changed (e.g. after a token exchange). */
export class IvsParticipantMetadataChangedEvent extends IvsEvent<IvsParticipantMetadataChangedEventDetail> {
  constructor(detail: IvsParticipantMetadataChangedEventDetail) {
    super('ivs-participant-metadata-changed', detail);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ivs-participant-metadata-changed': IvsParticipantMetadataChangedEvent;
  }
}
