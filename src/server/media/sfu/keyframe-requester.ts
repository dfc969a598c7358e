/**
 * Sends keyframe requests (PLI) to one publisher stream at most once per
 * `minIntervalMs`. A request inside the window is deferred to its end rather
 * than dropped: the keyframe from the earlier PLI may already have passed the
 * subscriber that is asking now.
 */
export class KeyframeRequester {
  private lastSentAt = -Infinity;
  private deferred?: NodeJS.Timeout;

  constructor(
    private readonly sendPli: () => void,
    private readonly minIntervalMs = 300,
  ) {}

  request(): void {
    if (this.deferred) return;
    const wait = this.lastSentAt + this.minIntervalMs - performance.now();
    if (wait <= 0) {
      this.send();
      return;
    }
    this.deferred = setTimeout(() => {
      this.deferred = undefined;
      this.send();
    }, wait);
  }

  close(): void {
    clearTimeout(this.deferred);
    this.deferred = undefined;
  }

  private send(): void {
    this.lastSentAt = performance.now();
    this.sendPli();
  }
}
