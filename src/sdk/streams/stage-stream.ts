import { StreamType } from '../enums.js';

type StatsSource = () => Promise<RTCStatsReport>;

/** One audio or video track on the stage, local or remote. */
export class StageStream {
  readonly id: string;
  readonly streamType: StreamType;
  protected muted = false;
  private statsSource?: StatsSource;

  constructor(readonly mediaStreamTrack: MediaStreamTrack) {
    if (!mediaStreamTrack || typeof mediaStreamTrack.kind !== 'string') {
      throw new TypeError('StageStream needs a MediaStreamTrack');
    }
    this.id = mediaStreamTrack.id;
    this.streamType = mediaStreamTrack.kind === 'video' ? StreamType.VIDEO : StreamType.AUDIO;
  }

  get isMuted(): boolean {
    return this.muted;
  }

  /** The WebRTC statistics of the sender or receiver that carries this stream. */
  getStats(): Promise<RTCStatsReport> {
    if (!this.statsSource) return Promise.reject(new Error('stream is not on the stage'));
    return this.statsSource();
  }

  requestRTCStats(): Promise<RTCStatsReport> {
    return this.getStats();
  }

  /** @internal the engine that carries the stream provides its stats. */
  _setStatsSource(source: StatsSource | undefined): void {
    this.statsSource = source;
  }
}
