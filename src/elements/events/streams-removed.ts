import type { StageParticipantInfo, StageStream } from '../../sdk/index.js';
import { IvsEvent } from './ivs-event.js';

export interface IvsStreamsRemovedEventDetail {
  /** The participant the event is about. */
  participant: StageParticipantInfo;
  /** The streams that went away. */
  streams: StageStream[];
}

/** Streams of a participant went away (unpublish, unsubscribe, leave). */
export class IvsStreamsRemovedEvent extends IvsEvent<IvsStreamsRemovedEventDetail> {
  constructor(detail: IvsStreamsRemovedEventDetail) {
    super('ivs-streams-removed', detail);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ivs-streams-removed': IvsStreamsRemovedEvent;
  }
}
