import { SubscribeType } from '../../sdk/index.js';
import type { StageStrategy } from '../../sdk/index.js';
import type { StageHandle } from '../context/stage-handle.js';

/** Values of the `subscribe` attribute of `<ivs-stage>`. */
export type SubscribeAttribute = 'audio-video' | 'audio-only' | 'none';

/**
 * Maps the `subscribe` attribute to the SDK's `SubscribeType`. The SDK's own
 * spellings (`audio_only` …) are accepted too; anything else (or no
 * attribute) subscribes to audio and video.
 */
export function subscribeTypeFromAttribute(value: string | null | undefined): SubscribeType {
  switch ((value ?? '').trim().toLowerCase().replace(/_/g, '-')) {
    case 'none':
      return SubscribeType.NONE;
    case 'audio-only':
      return SubscribeType.AUDIO_ONLY;
    default:
      return SubscribeType.AUDIO_VIDEO;
  }
}

/**
 * The strategy an `<ivs-stage>` hands to every `Stage` it creates. It reads
 * the element's current state each time the SDK asks, so changing an
 * attribute or a child only needs `refreshStrategy()`:
 * - subscribe to each remote participant as the first `<ivs-subscribe-rule>`
 *   that applies to it says, or else as the `subscribe` attribute says;
 * - publish while some `<ivs-local-stream publish>` has captured media;
 * - publish those streams (one audio, one video).
 */
export function createElementStrategy(handle: StageHandle, subscribe: () => string | null | undefined): StageStrategy {
  return {
    stageStreamsToPublish: () => handle.streamsToPublish(),
    shouldPublishParticipant: () => handle.streamsToPublish().length > 0,
    shouldSubscribeToParticipant: (participant) => handle.ruledSubscription(participant) ?? subscribeTypeFromAttribute(subscribe()),
  };
}
