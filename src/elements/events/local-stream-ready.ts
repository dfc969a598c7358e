import type { LocalStageStream } from '../../sdk/index.js';
import { IvsEvent } from './ivs-event.js';

export interface IvsLocalStreamReadyEventDetail {
  /** The captured camera/microphone as one MediaStream. */
  mediaStream: MediaStream;
  /** One LocalStageStream per captured track. */
  streams: LocalStageStream[];
}

/** Camera and microphone were captured and are ready to publish. */
export class IvsLocalStreamReadyEvent extends IvsEvent<IvsLocalStreamReadyEventDetail> {
  constructor(detail: IvsLocalStreamReadyEventDetail) {
    super('ivs-local-stream-ready', detail);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ivs-local-stream-ready': IvsLocalStreamReadyEvent;
  }
}
