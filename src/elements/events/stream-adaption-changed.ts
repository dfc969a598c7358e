import type { StageParticipantInfo, StageStream } from '../../sdk/index.js';
import { IvsEvent } from './ivs-event.js';

export interface IvsStreamAdaptionChangedEventDetail {
  /** The participant the event is about. */
  participant: StageParticipantInfo;
  /** The remote stream. */
  stream: StageStream;
  /** True while the server adapts the stream to the available bandwidth. */
  adapting: boolean;
}

/** The server started or stopped adapting a remote stream. */
export class IvsStreamAdaptionChangedEvent extends IvsEvent<IvsStreamAdaptionChangedEventDetail> {
  constructor(detail: IvsStreamAdaptionChangedEventDetail) {
    super('ivs-stream-adaption-changed', detail);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ivs-stream-adaption-changed': IvsStreamAdaptionChangedEvent;
  }
}
