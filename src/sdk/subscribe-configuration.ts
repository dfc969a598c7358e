import { StageError, StageErrorCategory, StageErrorCode } from './errors.js';

/** Jitter buffer presets, from "as little delay as possible" to "rides out long network glitches". */
export enum JitterBufferMinDelay {
  DEFAULT = 'default',
  LOW = 'low',
  MEDIUM = 'medium',
  HIGH = 'high',
}

export interface JitterBufferConfiguration {
  /** A preset, or a custom minimum delay in milliseconds (0–10000). */
  minDelay?: JitterBufferMinDelay | number;
}

/** What `StageStrategy.subscribeConfiguration` returns for a remote participant. */
export interface SubscribeConfiguration {
  jitterBuffer?: JitterBufferConfiguration;
}

const PRESET_MS: Record<JitterBufferMinDelay, number | undefined> = {
  [JitterBufferMinDelay.DEFAULT]: undefined,
  [JitterBufferMinDelay.LOW]: 100,
  [JitterBufferMinDelay.MEDIUM]: 250,
  [JitterBufferMinDelay.HIGH]: 500,
};
const MAX_DELAY_MS = 10_000;

/**
 * The receivers' `jitterBufferTarget` (ms) for a subscription, or undefined to
 * leave the browser's own choice. Applies only while the local participant is
 * not publishing: a participant in a conversation needs the lowest delay.
 */
export function jitterBufferTargetMs(configuration: SubscribeConfiguration | undefined, localIsPublishing: boolean, participantId: string): number | undefined {
  const minDelay = configuration?.jitterBuffer?.minDelay;
  if (minDelay === undefined || localIsPublishing) return undefined;
  if (typeof minDelay === 'number') {
    if (Number.isFinite(minDelay) && minDelay >= 0 && minDelay <= MAX_DELAY_MS) return minDelay;
  } else if (Object.prototype.hasOwnProperty.call(PRESET_MS, minDelay)) {
    return PRESET_MS[minDelay];
  }
  throw new StageError(
    StageErrorCode.FAILED,
    StageErrorCategory.SUBSCRIBE_ERROR,
    `jitterBuffer.minDelay must be a JitterBufferMinDelay or 0–${MAX_DELAY_MS} ms, got ${String(minDelay)}`,
    { participantId },
  );
}
