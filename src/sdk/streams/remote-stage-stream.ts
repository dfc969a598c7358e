import { StageStream } from './stage-stream.js';

/** A stream received from a remote participant. */
export class RemoteStageStream extends StageStream {
  /** True while the server adapts the stream to the subscriber's bandwidth. */
  readonly isAdapting = false;

  /** @internal mute state comes from the events channel. */
  _setMuted(muted: boolean): void {
    this.muted = muted;
  }
}

/** A simulcast layer of a remote video stream. */
export interface StageStreamLayer {
  label: string;
  bitrateBps: number;
  width: number;
  height: number;
  framesPerSecond: number;
  selected: boolean;
}
