/**
 * Runs many jobs, each about every `meanMs` (every interval drawn anew from
 * 0.5–1.5 times it, as RFC 3550 §6.3.1 has for RTCP), all from one timer
 * ticking every `tickMs`. A timer per job costs more at hundreds of jobs:
 * Node keeps a timer list per distinct duration, and random durations make
 * nearly every timer a list of its own.
 */
export class JitteredTicker {
  private readonly due = new Map<() => void, number>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly meanMs: number,
    private readonly tickMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Runs `job` from one interval from now on; returns what stops it. */
  add(job: () => void): () => void {
    this.due.set(job, this.next(this.now()));
    this.timer ??= setInterval(this.tick, this.tickMs);
    return () => {
      this.due.delete(job);
      if (this.due.size > 0) return;
      clearInterval(this.timer);
      this.timer = undefined;
    };
  }

  private next(now: number): number {
    return now + this.meanMs * (0.5 + Math.random());
  }

  private readonly tick = (): void => {
    const now = this.now();
    for (const [job, due] of this.due) {
      if (now < due) continue;
      this.due.set(job, this.next(now));
      job();
    }
  };
}
