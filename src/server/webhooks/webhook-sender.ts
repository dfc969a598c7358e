import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StageEvent } from './stage-event.js';

export interface WebhookOptions {
  url: string;
  /** Key of the HMAC-SHA256 signature in `x-stage-signature`. */
  secret: string;
  /** Tries per event, the first included. */
  maxAttempts?: number;
  /** Wait before the first retry; each further retry waits twice as long. */
  retryDelayMs?: number;
  /** Bounds each try, and close() as a whole. */
  timeoutMs?: number;
  /** Events waiting behind the one being delivered; past this the oldest is dropped. */
  maxQueued?: number;
}

const DEFAULTS = { maxAttempts: 6, retryDelayMs: 1000, timeoutMs: 10_000, maxQueued: 1000 };

/**
 * Signs `${timestamp}.${body}` so a receiver can check the sender and refuse
 * replays: the header is `t=<unix seconds>,v1=<hex HMAC-SHA256>`.
 */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** A queued event, as the outbox keeps it. */
export interface OutboxEntry {
  id: number;
  event: StageEvent;
  /** Tries so far. */
  attempts: number;
  /** Unix ms; the next try waits until then. */
  nextAttemptAt: number;
}

/**
 * Where queued events wait, oldest first. WebhookOutboxStore keeps them in the
 * database, so what a restart or a crash interrupts, the next start delivers.
 */
export interface WebhookOutbox {
  /** Appends `event`, then drops the oldest entries but the newest `keep`, never `spare`; returns how many it dropped. */
  push(event: StageEvent, keep: number, spare?: number): number;
  first(): OutboxEntry | undefined;
  /** Records a failed try. */
  postpone(id: number, attempts: number, nextAttemptAt: number): void;
  /** Ends an entry: delivered, refused or given up. */
  remove(id: number): void;
  size(): number;
}

/**
 * POSTs stage events as JSON to a backend, the role EventBridge plays for IVS.
 * Events go one at a time in the order they happened, so a receiver never sees
 * a leave before its join. A network error, a timeout, 408, 429 or 5xx is
 * retried with exponential backoff; any other answer, a redirect included,
 * ends that event's delivery. Each event waits in `outbox` from send() until
 * its delivery ends, so a restart or a crash loses none: delivery is at least
 * once, and `x-stage-event-id` (the event's id) lets a receiver drop what it
 * already has. At most `maxQueued` events wait, so a receiver that is down or
 * slow costs bounded space; beyond that the oldest waiting ones are dropped
 * and counted in `dropped`. On close, what is queued gets one more try, all
 * within one timeout; what that leaves waits for the next start.
 */
export class WebhookSender {
  private readonly options: Required<WebhookOptions>;
  /** The loop delivering the outbox, while there is anything to deliver. */
  private draining?: Promise<void>;
  /** The entry that loop is delivering (or waiting to retry): it is not dropped for room. */
  private current?: number;
  private droppedCount = 0;
  /** True from the first drop until the queue has room again: one warning per overflow. */
  private overflowing = false;
  /** Aborted by close(): no more waiting between tries. */
  private readonly stopping = new AbortController();
  /** Set by close(): the last tries must end by then. */
  private deadline?: AbortSignal;

  constructor(
    options: WebhookOptions,
    private readonly outbox: WebhookOutbox,
  ) {
    this.options = { ...DEFAULTS, ...options };
    // What an earlier run left queued goes first.
    if (outbox.size() > 0) this.draining = this.drain();
  }

  /** Events dropped because `maxQueued` were already waiting. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Queues `event` (written to the outbox before this returns) and never waits for its delivery. */
  readonly send = (event: StageEvent): void => {
    if (this.stopping.signal.aborted) return;
    // The oldest go: the newest say who is on the stage now, and a leave whose
    // join was dropped is easy to ignore, where a join whose leave was dropped
    // would be a participant who never leaves. What is kept stays in order.
    const dropped = this.outbox.push(event, this.options.maxQueued, this.current);
    if (dropped === 0) {
      this.overflowing = false;
    } else {
      this.droppedCount += dropped;
      if (!this.overflowing) console.warn(`[webhook] ${this.options.maxQueued} events wait for ${this.options.url}; dropping the oldest until it catches up`);
      this.overflowing = true;
    }
    this.draining ??= this.drain();
  };

  /** Refuses new events, gives each queued one a last try, and settles when they are done or the timeout passed. */
  async close(): Promise<void> {
    this.deadline = AbortSignal.timeout(this.options.timeoutMs);
    this.stopping.abort();
    await this.draining;
    const left = this.outbox.size();
    if (left > 0) console.error(`[webhook] ${left} events were not delivered before close; they wait for the next start`);
  }

  /** One event at a time, so that they arrive in order; stops at the close deadline rather than failing each leftover. */
  private async drain(): Promise<void> {
    try {
      for (let entry = this.outbox.first(); entry && !this.deadline?.aborted; entry = this.outbox.first()) {
        this.current = entry.id;
        if (!(await this.deliver(entry))) break;
      }
    } catch (error) {
      console.error('[webhook] the outbox failed; delivery resumes with the next event', error);
    }
    this.current = undefined;
    this.draining = undefined;
  }

  /** Tries `entry` until its delivery ends; false if it is to wait for the next start instead (closing). */
  private async deliver({ id, event, attempts, nextAttemptAt }: OutboxEntry): Promise<boolean> {
    const body = JSON.stringify(event);
    for (;;) {
      // Never longer than its backoff, should the clock have been set back since.
      await this.pause(Math.min(nextAttemptAt - Date.now(), this.backoff(attempts)));
      const outcome = await this.post(body, event.id);
      attempts++;
      if (outcome === 'retry' && attempts < this.options.maxAttempts) {
        nextAttemptAt = Date.now() + this.backoff(attempts);
        this.outbox.postpone(id, attempts, nextAttemptAt);
        // Closing: it stays, and so do the events behind it, to keep their order.
        if (this.stopping.signal.aborted) return false;
        continue;
      }
      if (outcome !== 'delivered') {
        const why = outcome === 'retry' ? 'the receiver kept failing' : outcome;
        console.error(`[webhook] gave up on ${event.detail.event_name} ${event.id} after ${attempts} attempts: ${why}`);
      }
      this.outbox.remove(id);
      return true;
    }
  }

  /** The wait before the try after `attempts` failed ones. */
  private backoff(attempts: number): number {
    return attempts === 0 ? 0 : this.options.retryDelayMs * 2 ** (attempts - 1);
  }

  /** Waits `ms`, or less once close() was called. */
  private async pause(ms: number): Promise<void> {
    if (ms > 0 && !this.stopping.signal.aborted) await sleep(ms, undefined, { signal: this.stopping.signal }).catch(() => {});
  }

  /** 'delivered', 'retry', or why retrying is pointless. */
  private async post(body: string, eventId: string): Promise<string> {
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-stage-event-id': eventId,
          'x-stage-signature': webhookSignature(this.options.secret, timestamp, body),
        },
        body,
        // Not followed: the signed event goes to the configured URL only, never
        // where a receiver points it. 'manual' hands the 3xx back as an answer
        // that ends the delivery; 'error' would look like a network failure and
        // be retried, only to be redirected again.
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs), ...(this.deadline ? [this.deadline] : [])]),
      });
      // The status is the answer; the body is not read, so one that never ends cannot hold the queue.
      await response.body?.cancel();
      if (response.ok) return 'delivered';
      if (response.status === 408 || response.status === 429 || response.status >= 500) return 'retry';
      return `the receiver answered ${response.status}`;
    } catch {
      return 'retry';
    }
  }
}
