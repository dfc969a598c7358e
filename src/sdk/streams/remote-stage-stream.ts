import { StageStream } from './stage-stream.js';

/** A simulcast layer of a remote video stream. */
export interface StageStreamLayer {
  label: string;
  bitrateBps: number;
  width: number;
  height: number;
  framesPerSecond: number;
  selected: boolean;
}

/**
 * A stream received from a remote participant. The server forwards a single
 * layer per stream for now (no simulcast), so the layer methods report none
 * and the stream never adapts; code written for layers keeps working.
 */
export class RemoteStageStream extends StageStream {
  /** True while the server adapts the stream to the subscriber's bandwidth. */
  readonly isAdapting: boolean = false;

  getLayers(): StageStreamLayer[] {
    return [];
  }

  getSelectedLayer(): StageStreamLayer | undefined {
    return undefined;
  }

  getLowestQualityLayer(): StageStreamLayer | undefined {
    return undefined;
  }

  getHighestQualityLayer(): StageStreamLayer | undefined {
    return undefined;
  }

  /** @internal mute state comes from the events channel. */
  _setMuted(muted: boolean): void {
    this.muted = muted;
  }
}
