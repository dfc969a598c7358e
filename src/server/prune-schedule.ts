/**
 * When a map of per-client state should be scanned for entries to forget:
 * once it reaches `floor` entries, then each time it has doubled since the
 * last scan, so the scans cost O(1) per entry added.
 */
export class PruneSchedule {
  private at: number;

  constructor(private readonly floor: number) {
    this.at = floor;
  }

  due(size: number): boolean {
    return size >= this.at;
  }

  /** After a scan: the size it left. */
  pruned(size: number): void {
    this.at = Math.max(this.floor, 2 * size);
  }
}
