import type { StageParticipantInfo, StageStream } from '../../sdk/index.js';
import { IvsEvent } from './ivs-event.js';

export interface IvsStreamsAddedEventDetail {
  /** The participant the event is about. */
  participant: StageParticipantInfo;
  /** The streams that became available (local streams for the local participant). */
  streams: StageStream[];
}

/** Streams of a participant became available to render. */
export class IvsStreamsAddedEvent extends IvsEvent<IvsStreamsAddedEventDetail> {
  constructor(detail: IvsStreamsAddedEventDetail) {
    super('ivs-streams-added', detail);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ivs-streams-added': IvsStreamsAddedEvent;
  }
}
