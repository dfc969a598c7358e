import type { MediaKind } from '../../src/protocol/index.js';
import type { MediaEngine, PublishConnection, SubscribeConnection } from '../../src/sdk/engine/media-engine.js';
import type { LocalStageStream } from '../../src/sdk/index.js';

/** A stand-in for a MediaStreamTrack: the SDK reads only `kind` and `id` from tracks it does not play. */
export function fakeTrack(kind: MediaKind, id = `${kind}-${Math.random().toString(36).slice(2, 8)}`): MediaStreamTrack {
  return { kind, id } as MediaStreamTrack;
}

/**
 * A media engine that records every call instead of opening connections, so
 * the reconciler's decisions can be checked call by call. `fail` makes the
 * next start() reject with that error.
 */
export class FakeEngine implements MediaEngine {
  readonly calls: string[] = [];
  fail?: Error;

  publisher(endpoint: string, token: string): PublishConnection {
    const calls = this.calls;
    const engine = this;
    let kinds: MediaKind[] = [];
    calls.push(`publisher ${endpoint} ${token}`);
    return {
      async start(streams: Map<MediaKind, LocalStageStream>) {
        calls.push(`publish ${[...streams.keys()].join('+')}`);
        kinds = [...streams.keys()];
        engine.throwIfFailing();
      },
      canReplace: (streams) => streams.size === kinds.length && [...streams.keys()].every((k) => kinds.includes(k)),
      async replace(streams) {
        calls.push(`replace ${[...streams.keys()].join('+')}`);
      },
      close: () => void calls.push('unpublish'),
    };
  }

  subscriber(endpoint: string, token: string, _onFailed: () => void, jitterBufferTargetMs?: number): SubscribeConnection {
    const calls = this.calls;
    const engine = this;
    calls.push(`subscriber ${endpoint} ${token}${jitterBufferTargetMs === undefined ? '' : ` jitter=${jitterBufferTargetMs}`}`);
    const tracks = { audio: fakeTrack('audio'), video: fakeTrack('video') };
    return {
      async start(video: boolean) {
        calls.push(`subscribe video=${video}`);
        engine.throwIfFailing();
      },
      async setVideo(video: boolean) {
        calls.push(`set video=${video}`);
      },
      track: (kind) => tracks[kind],
      getStats: async () => new Map() as unknown as RTCStatsReport,
      close: () => void calls.push('unsubscribe'),
    };
  }

  /** The calls made since the last take(). */
  take(): string[] {
    return this.calls.splice(0);
  }

  private throwIfFailing(): void {
    const error = this.fail;
    this.fail = undefined;
    if (error) throw error;
  }
}
