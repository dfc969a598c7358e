import type { StageError } from '../../sdk/index.js';
import { IvsEvent } from './ivs-event.js';

export interface IvsErrorEventDetail {
  /** The SDK error (`code`, `category`, `message`). */
  error: StageError;
}

/** The stage reported an error (join, publish or subscribe). */
export class IvsErrorEvent extends IvsEvent<IvsErrorEventDetail> {
  constructor(detail: IvsErrorEventDetail) {
    super('ivs-error', detail);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ivs-error': IvsErrorEvent;
  }
}
