import type { IncomingMessage } from 'node:http';
import { PruneSchedule } from '../prune-schedule.js';
import { clientKey } from './client-key.js';
import { type RateLimit, TokenBucket } from './token-bucket.js';

export type { RateLimit };

/** Tracked clients below which nothing is pruned. */
const PRUNE_FLOOR = 10_000;

/**
 * A token bucket per client (an address, or an IPv6 /64). `take` says whether
 * a request may go on.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly pruning = new PruneSchedule(PRUNE_FLOOR);

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {}

  take(req: IncomingMessage): boolean {
    const key = clientKey(req.socket.remoteAddress);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.pruning.due(this.buckets.size)) this.prune();
      bucket = new TokenBucket(this.limit, this.now);
      this.buckets.set(key, bucket);
    }
    return bucket.take();
  }

  /** Seconds until the next request of a throttled client would be allowed, for `Retry-After`. */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(1 / this.limit.perSecond));
  }

  /** Clients quiet long enough to be back at `burst` are forgotten. */
  private prune(): void {
    for (const [key, bucket] of this.buckets) if (bucket.full) this.buckets.delete(key);
    this.pruning.pruned(this.buckets.size);
  }
}
