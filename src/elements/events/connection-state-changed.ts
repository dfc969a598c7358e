import type { StageConnectionState } from '../../sdk/index.js';
import { IvsEvent } from './ivs-event.js';

export interface IvsConnectionStateChangedEventDetail {
  /** The new connection state of the stage. */
  state: StageConnectionState;
}

/** The stage connected, is connecting, lost its connection or disconnected. */
export class IvsConnectionStateChangedEvent extends IvsEvent<IvsConnectionStateChangedEventDetail> {
  constructor(detail: IvsConnectionStateChangedEventDetail) {
    super('ivs-connection-state-changed', detail);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ivs-connection-state-changed': IvsConnectionStateChangedEvent;
  }
}
