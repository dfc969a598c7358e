/** Timing of the per-subscriber congestion control; tests shorten it. */
export interface CongestionTimings {
  /** How often the sent rate is compared with the subscriber's estimate. */
  checkIntervalMs: number;
  /** Consecutive over-estimate checks before video is paused. */
  overuseChecks: number;
  /** First wait before video is tried again; doubles after each pause that follows a resume quickly. */
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_CONGESTION_TIMINGS: CongestionTimings = {
  checkIntervalMs: 1000,
  overuseChecks: 5,
  initialBackoffMs: 5000,
  maxBackoffMs: 60_000,
};

/**
 * Sending more than this multiple of the subscriber's estimate counts as
 * overuse. A receiver answers a short delay spike by cutting its estimate to
 * ~85 % of what arrives and climbs back within seconds; that must not pause
 * video, a link that carries only part of the stream must.
 */
const OVERUSE_RATIO = 1.5;

export type CongestionDecision = 'none' | 'pause-video' | 'resume-video';

/**
 * Keeps one subscriber's stream within the bandwidth its receiver measures
 * (REMB). The SFU forwards a single layer, so the only lighter stream it can
 * send is audio alone: video pauses after the sent rate stays above the
 * estimate for a few checks, and is tried again after a backoff that grows
 * while the link keeps failing (a receiver's estimate barely rises without
 * traffic, so waiting for it to climb would never resume).
 */
export class SubscriberCongestion {
  private overuse = 0;
  private pausedAt?: number;
  private resumedAt = -Infinity;
  private backoffMs: number;

  constructor(private readonly timings: CongestionTimings = DEFAULT_CONGESTION_TIMINGS) {
    this.backoffMs = timings.initialBackoffMs;
  }

  get videoPaused(): boolean {
    return this.pausedAt !== undefined;
  }

  /**
   * One check: `sentBps` is what was sent to the subscriber since the last
   * check, `estimateBps` its latest REMB (0 before any).
   */
  check(sentBps: number, estimateBps: number, now: number): CongestionDecision {
    if (this.pausedAt !== undefined) {
      if (now - this.pausedAt < this.backoffMs) return 'none';
      this.pausedAt = undefined;
      this.resumedAt = now;
      this.overuse = 0;
      return 'resume-video';
    }
    this.overuse = estimateBps > 0 && sentBps > estimateBps * OVERUSE_RATIO ? this.overuse + 1 : 0;
    if (this.overuse < this.timings.overuseChecks) return 'none';
    // A pause soon after resuming means the link is still short: wait longer next time.
    const pausedSoonAfterResume = now - this.resumedAt < 2 * this.backoffMs;
    this.backoffMs = pausedSoonAfterResume ? Math.min(this.timings.maxBackoffMs, this.backoffMs * 2) : this.timings.initialBackoffMs;
    this.pausedAt = now;
    return 'pause-video';
  }
}
