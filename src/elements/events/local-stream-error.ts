import { IvsEvent } from './ivs-event.js';

export interface IvsLocalStreamErrorEventDetail {
  /** Why capturing failed; usually a `DOMException` from `getUserMedia` (`NotAllowedError`, `NotFoundError` …). */
  error: unknown;
}

/** Capturing the camera or microphone failed. */
export class IvsLocalStreamErrorEvent extends IvsEvent<IvsLocalStreamErrorEventDetail> {
  constructor(detail: IvsLocalStreamErrorEventDetail) {
    super('ivs-local-stream-error', detail);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ivs-local-stream-error': IvsLocalStreamErrorEvent;
  }
}
