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
  private pruneAt = PRUNE_FLOOR;

  constructor(
    private readonly skewMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records the signature; false when it was seen before (a replay). */
  firstTime(signature: string, signingTime: number): boolean {
    const now = this.now();
    const seenUntil = this.expiries.get(signature);
    if (seenUntil !== undefined && seenUntil >= now) return false;
    if (this.expiries.size >= this.pruneAt) this.prune(now);
    this.expiries.set(signature, signingTime + this.skewMs);
    return true;
  }

  /** Full scans only each time the set has doubled: O(1) per request. */
  private prune(now: number): void {
    for (const [signature, until] of this.expiries) if (until < now) this.expiries.delete(signature);
    this.pruneAt = Math.max(PRUNE_FLOOR, 2 * this.expiries.size);
  }
}
