import type { StageParticipantInfo, StageStream, StageStreamLayer } from '../../sdk/index.js';
import { IvsEvent } from './ivs-event.js';

export interface IvsStreamLayersChangedEventDetail {
  /** The participant the event is about. */
  participant: StageParticipantInfo;
  /** The simulcast stream. */
  stream: StageStream;
  /** The layers now available. */
  layers: StageStreamLayer[];
}

/** The simulcast layers available for a remote stream changed. */
export class IvsStreamLayersChangedEvent extends IvsEvent<IvsStreamLayersChangedEventDetail> {
  constructor(detail: IvsStreamLayersChangedEventDetail) {
    super('ivs-stream-layers-changed', detail);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ivs-stream-layers-changed': IvsStreamLayersChangedEvent;
  }
}
