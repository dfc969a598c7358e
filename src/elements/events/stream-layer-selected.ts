import type { StageParticipantInfo, StageStream, StageStreamLayer } from '../../sdk/index.js';
import { IvsEvent } from './ivs-event.js';

export interface IvsStreamLayerSelectedEventDetail {
  /** The participant the event is about. */
  participant: StageParticipantInfo;
  /** The simulcast stream. */
  stream: StageStream;
  /** The layer now received, or `undefined` when none could be selected. */
  layer: StageStreamLayer | undefined;
  /** Why the selection happened: `'selected'` or `'unavailable'`. */
  reason: string;
}

/** The layer received for a remote simulcast stream changed. */
export class IvsStreamLayerSelectedEvent extends IvsEvent<IvsStreamLayerSelectedEventDetail> {
  constructor(detail: IvsStreamLayerSelectedEventDetail) {
    super('ivs-stream-layer-selected', detail);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ivs-stream-layer-selected': IvsStreamLayerSelectedEvent;
  }
}
