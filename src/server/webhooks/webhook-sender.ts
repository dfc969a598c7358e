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

/**
 * POSTs stage events as JSON to a backend, the role EventBridge plays for IVS.
 * Events go one at a time in the order they happened, so a receiver never sees
 * a leave before its join. A network error, a timeout, 408, 429 or 5xx is
 * retried with exponential backoff; any other answer, a redirect included,
 * ends that event's delivery. At most `maxQueued` events wait, so a receiver
 * that is down or slow costs bounded memory; beyond that the oldest waiting
 * ones are dropped and counted in `dropped`. Events are not kept across a
 * restart: on close, what is still queued gets one more try, all within one
 * timeout.
 */
export class WebhookSender {
  private readonly options: Required<WebhookOptions>;
  /** Waiting events, oldest first; the one being delivered is no longer here. */
  private readonly pending: StageEvent[] = [];
  /** The loop delivering `pending`, while there is anything to deliver. */
  private draining?: Promise<void>;
  private droppedCount = 0;
  /** True from the first drop until the queue has room again: one warning per overflow. */
  private overflowing = false;
  /** Aborted by close(): no more waiting between tries. */
  private readonly stopping = new AbortController();
  /** Set by close(): the last tries must end by then. */
  private deadline?: AbortSignal;

  constructor(options: WebhookOptions) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Events dropped because `maxQueued` were already waiting. */
  get dropped(): number {
    return this.droppedCount;
  }

  readonly send = (event: StageEvent): void => {
    if (this.stopping.signal.aborted) return;
    if (this.pending.length < this.options.maxQueued) {
      this.overflowing = false;
    } else {
      // The oldest go: the newest say who is on the stage now, and a leave whose
      // join was dropped is easy to ignore, where a join whose leave was dropped
      // would be a participant who never leaves. What is kept stays in order.
      this.pending.shift();
      this.droppedCount++;
      if (!this.overflowing) console.warn(`[webhook] ${this.options.maxQueued} events wait for ${this.options.url}; dropping the oldest until it catches up`);
      this.overflowing = true;
    }
    this.pending.push(event);
    this.draining ??= this.drain();
  };

  /** Refuses new events, gives each queued one a last try, and settles when they are done or the timeout passed. */
  async close(): Promise<void> {
    this.deadline = AbortSignal.timeout(this.options.timeoutMs);
    this.stopping.abort();
    await this.draining;
    if (this.pending.length > 0) console.error(`[webhook] close timed out; ${this.pending.length} events were not delivered`);
    this.pending.length = 0;
  }

  /** One event at a time, so that they arrive in order; stops at the close deadline rather than failing each leftover. */
  private async drain(): Promise<void> {
    while (this.pending.length > 0 && !this.deadline?.aborted) await this.deliver(this.pending.shift()!);
    this.draining = undefined;
  }

  private async deliver(event: StageEvent): Promise<void> {
    const body = JSON.stringify(event);
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.post(body, event.id);
      if (outcome === 'delivered') return;
      if (outcome !== 'retry' || attempt >= this.options.maxAttempts || this.stopping.signal.aborted) {
        const why = outcome === 'retry' ? 'the receiver kept failing' : outcome;
        console.error(`[webhook] gave up on ${event.detail.event_name} ${event.id} after ${attempt} attempts: ${why}`);
        return;
      }
      try {
        await sleep(this.options.retryDelayMs * 2 ** (attempt - 1), undefined, { signal: this.stopping.signal });
      } catch {
        return;
      }
    }
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
