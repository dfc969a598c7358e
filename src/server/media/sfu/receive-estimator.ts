/** Bounds of the bitrate the SFU lets one publisher send, in bit/s. */
export interface BitrateLimits {
  /** First estimate, sent before anything was measured; also the floor of the growth cap. */
  startBps: number;
  minBps: number;
  maxBps: number;
}

/**
 * Chromium trusts REMB in its first ~2 s, so `startBps` is where a publisher
 * starts; 1.5 Mbit/s is about Chromium's own initial probe (6 × 300 kbit/s)
 * and lets 640×480 reach full quality within seconds.
 */
export const DEFAULT_BITRATE_LIMITS: Readonly<BitrateLimits> = { startBps: 1_500_000, minBps: 100_000, maxBps: 6_000_000 };

const GROWTH_PER_SECOND = 1.08;
const LOW_LOSS = 0.02;
const HIGH_LOSS = 0.1;
/** Queueing delay (ms) that counts as overuse when seen in two consecutive updates. */
const OVERUSE_QUEUE_MS = 40;
const SEVERE_QUEUE_MS = 150;
const STABLE_QUEUE_MS = 15;
const HOLD_AFTER_DECREASE_MS = 1000;
/** Loss is judged only over at least this many expected packets. */
const MIN_EXPECTED_FOR_LOSS = 20;
const DELAY_BASELINE_BUCKET_MS = 5000;
/** SSRCs whose loss is counted: audio, video layers and their retransmission streams, with room to spare. */
const MAX_STREAMS = 16;
/** Above this share of send times running backwards, the publisher's abs-send-time is not trusted. */
const MAX_BACKWARDS_SEND_TIMES = 0.1;

/**
 * Receive-side bandwidth estimate for one publisher connection, sent back to it
 * as REMB: grows while loss is low and queueing delay is stable, falls below
 * the measured incoming rate on loss or growing delay. Delay comes from the
 * publisher's abs-send-time; without it the estimate relies on loss alone.
 * Call `onPacket` per RTP packet and `update` periodically (e.g. every 500 ms).
 */
export class ReceiveBandwidthEstimator {
  private estimate: number;
  private bytes = 0;
  private lastUpdateMs?: number;
  private holdUntilMs = -Infinity;
  private previousQueueMs?: number;
  private readonly loss = new LossCounter();
  private readonly delay = new QueueDelay();

  constructor(private readonly limits: BitrateLimits = DEFAULT_BITRATE_LIMITS) {
    this.estimate = limits.startBps;
  }

  get bitrateBps(): number {
    return Math.round(this.estimate);
  }

  onPacket(nowMs: number, ssrc: number, sequenceNumber: number, bytes: number, sendTimeSeconds?: number): void {
    this.bytes += bytes;
    this.loss.add(ssrc, sequenceNumber);
    if (sendTimeSeconds !== undefined) this.delay.add(nowMs, sendTimeSeconds);
  }

  /** Folds what arrived since the last call into the estimate and returns it (bit/s). */
  update(nowMs: number): number {
    const elapsedMs = this.lastUpdateMs === undefined ? 0 : nowMs - this.lastUpdateMs;
    this.lastUpdateMs = nowMs;
    const incomingBps = elapsedMs > 0 ? (this.bytes * 8 * 1000) / elapsedMs : 0;
    this.bytes = 0;
    const loss = this.loss.takeFraction();
    const queueMs = this.delay.takeAverageQueueMs();
    // The first call only opens the first measurement interval.
    if (elapsedMs <= 0) return this.bitrateBps;
    const { minBps, maxBps, startBps } = this.limits;

    if (loss !== undefined && loss > HIGH_LOSS) {
      this.decrease(nowMs, Math.min(this.estimate, incomingBps) * (1 - loss / 2));
    } else if (queueMs !== undefined && this.overused(queueMs)) {
      this.decrease(nowMs, Math.min(this.estimate, incomingBps * 0.85));
    } else if (nowMs >= this.holdUntilMs && (loss ?? 0) < LOW_LOSS && (queueMs ?? 0) < STABLE_QUEUE_MS) {
      // Never grow far above what the publisher actually sends, so an idle
      // (app-limited) sender is not handed an unverified budget.
      const cap = Math.max(startBps, 2 * incomingBps);
      this.estimate = Math.min(maxBps, cap, this.estimate * GROWTH_PER_SECOND ** (elapsedMs / 1000));
    }
    this.estimate = Math.max(minBps, this.estimate);
    this.previousQueueMs = queueMs;
    return this.bitrateBps;
  }

  private overused(queueMs: number): boolean {
    if (queueMs > SEVERE_QUEUE_MS) return true;
    return queueMs > OVERUSE_QUEUE_MS && (this.previousQueueMs ?? 0) > OVERUSE_QUEUE_MS;
  }

  private decrease(nowMs: number, target: number): void {
    if (nowMs < this.holdUntilMs) return;
    this.estimate = target;
    this.holdUntilMs = nowMs + HOLD_AFTER_DECREASE_MS;
  }
}

/**
 * Packets lost per SSRC, counted when a gap in sequence numbers appears. A
 * packet filling the gap later (a NACK retransmission on the same SSRC, since
 * RTX is not negotiated) does not undo it: loss before repair is the
 * congestion signal.
 */
class LossCounter {
  private readonly streams = new Map<number, { highest: number; packets: number }>();
  private expected = 0;
  private lost = 0;

  add(ssrc: number, sequenceNumber: number): void {
    const s = this.streams.get(ssrc);
    if (!s) {
      // A publisher choosing ever new SSRCs must neither grow the map nor push out its live streams:
      // the stream heard least makes room. A first packet says nothing of loss yet.
      if (this.streams.size >= MAX_STREAMS) this.streams.delete(this.leastHeard());
      this.streams.set(ssrc, { highest: sequenceNumber, packets: 1 });
      return;
    }
    s.packets++;
    const forward = (sequenceNumber - s.highest) & 0xffff;
    if (forward === 0 || forward >= 0x8000) return; // duplicate, reordered or retransmitted
    s.highest = sequenceNumber;
    this.expected += forward;
    this.lost += forward - 1;
  }

  /** Of those heard least, the newest: a stream that has just started is not pushed out by streams newer still. */
  private leastHeard(): number {
    let least: [ssrc: number, packets: number] = [0, Infinity];
    for (const [ssrc, { packets }] of this.streams) if (packets <= least[1]) least = [ssrc, packets];
    return least[0];
  }

  /** Lost fraction since the last answer, or undefined while too few packets were expected to judge. */
  takeFraction(): number | undefined {
    if (this.expected < MIN_EXPECTED_FOR_LOSS) return undefined;
    const fraction = this.lost / this.expected;
    this.expected = 0;
    this.lost = 0;
    return fraction;
  }
}

/**
 * Queueing delay: one-way delay (arrival minus abs-send-time) above its minimum
 * over the last 5–10 s. Clock offset between the hosts cancels out.
 */
class QueueDelay {
  private wraps = 0;
  private lastSendSeconds?: number;
  private bucketStartMs = -Infinity;
  private currentMin = Infinity;
  private previousMin = Infinity;
  private sum = 0;
  private count = 0;
  private backwards = 0;

  add(nowMs: number, sendTimeSeconds: number): void {
    if (this.lastSendSeconds !== undefined) {
      // abs-send-time wraps every 64 s; a jump of over half that is a wrap.
      if (sendTimeSeconds < this.lastSendSeconds - 32) this.wraps++;
      else if (sendTimeSeconds > this.lastSendSeconds + 32) this.wraps--;
      else if (sendTimeSeconds < this.lastSendSeconds) this.backwards++;
    }
    this.lastSendSeconds = sendTimeSeconds;
    const oneWayMs = nowMs - (sendTimeSeconds + 64 * this.wraps) * 1000;
    if (nowMs - this.bucketStartMs >= DELAY_BASELINE_BUCKET_MS) {
      this.previousMin = this.currentMin;
      this.currentMin = Infinity;
      this.bucketStartMs = nowMs;
    }
    this.currentMin = Math.min(this.currentMin, oneWayMs);
    this.sum += oneWayMs - Math.min(this.currentMin, this.previousMin);
    this.count++;
  }

  /**
   * Average queueing delay since the last call, or undefined without a usable
   * signal. Send times stamped at the sender's egress only go backwards on
   * reordering; when many do, the clock is broken (werift 0.25.2 writes
   * abs-send-time from a garbled NTP fraction) and the delay is meaningless.
   */
  takeAverageQueueMs(): number | undefined {
    const usable = this.count > 0 && this.backwards <= this.count * MAX_BACKWARDS_SEND_TIMES;
    const average = this.sum / this.count;
    this.sum = 0;
    this.count = 0;
    this.backwards = 0;
    return usable ? average : undefined;
  }
}
