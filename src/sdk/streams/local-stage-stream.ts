import { StreamType } from '../enums.js';
import { StageStream } from './stage-stream.js';
import { DEFAULT_AUDIO_KBPS, type LocalStageStreamOptions, validateStreamOptions } from './stream-options.js';

export type { LocalStageStreamOptions } from './stream-options.js';

type MuteListener = (stream: LocalStageStream) => void;

/** A local track offered to the stage through `stageStreamsToPublish`. */
export class LocalStageStream extends StageStream {
  readonly options: Readonly<LocalStageStreamOptions>;
  private readonly muteListeners = new Set<MuteListener>();

  /** Throws a RangeError for options outside the stage limits (see `STREAM_LIMITS`). */
  constructor(track: MediaStreamTrack, options?: LocalStageStreamOptions) {
    super(track);
    this.options = Object.freeze(validateStreamOptions(options));
  }

  /** Mutes without unpublishing; works before or after the stream is published. */
  setMuted(muted: boolean): void {
    if (typeof muted !== 'boolean') throw new TypeError('setMuted expects a boolean');
    if (muted === this.muted) return;
    this.muted = muted;
    for (const listener of this.muteListeners) listener(this);
  }

  /** Encoder limits for the sender that carries this stream. */
  get encoding(): RTCRtpEncodingParameters {
    const o = this.options;
    const kbps = this.streamType === StreamType.VIDEO ? (o.maxVideoBitrateKbps ?? o.maxBitrate) : (o.maxAudioBitrateKbps ?? DEFAULT_AUDIO_KBPS);
    const encoding: RTCRtpEncodingParameters = {};
    if (kbps !== undefined) encoding.maxBitrate = kbps * 1000;
    if (this.streamType === StreamType.VIDEO && o.maxFramerate !== undefined) encoding.maxFramerate = o.maxFramerate;
    return encoding;
  }

  /** @internal the publisher follows mute changes. */
  _onMuteChanged(listener: MuteListener): () => void {
    this.muteListeners.add(listener);
    return () => this.muteListeners.delete(listener);
  }
}
