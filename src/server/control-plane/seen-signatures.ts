import { PruneSchedule } from '../prune-schedule.js';

/** Tracked signatures below which none are pruned. */
const PRUNE_FLOOR = 10_000;

/**
 * Signatures of requests already accepted, kept while their x-amz-date is
 * still inside the clock-skew window: within it, the same signed request sent
 * again would verify again. Only verified signatures are kept, so the set
 * grows with genuine traffic alone.
 */
export class SeenSignatures {
  /** Signature → when it stops being acceptable anyway (ms). */
  private readonly expiries = new Map<string, number>();
  private readonly pruning = new PruneSchedule(PRUNE_FLOOR);

  constructor(
    private readonly skewMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records the signature; false when it was seen before (a replay). */
  firstTime(signature: string, signingTime: number): boolean {
    const now = this.now();
    const seenUntil = this.expiries.get(signature);
    if (seenUntil !== undefined && seenUntil >= now) return false;
    if (this.pruning.due(this.expiries.size)) this.prune(now);
    this.expiries.set(signature, signingTime + this.skewMs);
    return true;
  }

  private prune(now: number): void {
    for (const [signature, until] of this.expiries) if (until < now) this.expiries.delete(signature);
    this.pruning.pruned(this.expiries.size);
  }
}
