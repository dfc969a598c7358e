import type { StageParticipantInfo, StageStream } from '../../sdk/index.js';
import { IvsEvent } from './ivs-event.js';

export interface IvsStreamMuteChangedEventDetail {
  /** The participant the event is about. */
  participant: StageParticipantInfo;
  /** The stream whose `isMuted` changed. */
  stream: StageStream;
}

/** A stream was muted or unmuted; `participant.audioMuted` / `videoStopped` are already up to date. */
export class IvsStreamMuteChangedEvent extends IvsEvent<IvsStreamMuteChangedEventDetail> {
  constructor(detail: IvsStreamMuteChangedEventDetail) {
    super('ivs-stream-mute-changed', detail);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ivs-stream-mute-changed': IvsStreamMuteChangedEvent;
  }
}
