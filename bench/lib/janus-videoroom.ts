/**
 * A small client of Janus' HTTP REST API for the VideoRoom plugin: one session
 * with a long poll for its events, any number of plugin handles on it. A
 * plugin message that Janus acknowledges first resolves with the plugin event
 * that carries the same transaction (and its JSEP, if any).
 */
import { randomUUID } from 'node:crypto';

export interface Jsep {
  type: 'offer' | 'answer';
  sdp: string;
  /** false: every candidate is in the SDP, none will be trickled. */
  trickle?: boolean;
}

export interface PluginReply {
  data: Record<string, unknown>;
  jsep?: Jsep;
}

interface JanusMessage {
  janus: string;
  transaction?: string;
  sender?: number;
  data?: { id: number };
  error?: { code: number; reason: string };
  plugindata?: { data: Record<string, unknown> };
  jsep?: Jsep;
}

const REPLY_TIMEOUT_MS = 30_000;

export class JanusSession {
  private readonly waiting = new Map<string, { resolve(m: JanusMessage): void; reject(e: Error): void }>();
  private readonly polling = new AbortController();

  private constructor(
    private readonly apiUrl: string,
    readonly id: number,
  ) {
    void this.poll();
  }

  static async create(apiUrl: string): Promise<JanusSession> {
    const reply = await post(apiUrl, { janus: 'create' });
    return new JanusSession(apiUrl, reply.data!.id);
  }

  /** Attaches a VideoRoom handle to this session. */
  async attachVideoRoom(): Promise<VideoRoomHandle> {
    const reply = await post(`${this.apiUrl}/${this.id}`, { janus: 'attach', plugin: 'janus.plugin.videoroom' });
    return new VideoRoomHandle(this, reply.data!.id);
  }

  /** Posts to one handle; resolves with the synchronous reply, or with the plugin event that follows an ack. */
  async send(handleId: number, body: Record<string, unknown>): Promise<JanusMessage> {
    const transaction = randomUUID();
    const event = new Promise<JanusMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(transaction);
        reject(new Error(`janus: no reply to ${JSON.stringify(body.body ?? body)} in ${REPLY_TIMEOUT_MS / 1000} s`));
      }, REPLY_TIMEOUT_MS);
      this.waiting.set(transaction, {
        resolve: (m) => (clearTimeout(timer), resolve(m)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
    });
    const settle = (how: (w: { resolve(m: JanusMessage): void; reject(e: Error): void }) => void) => {
      const waiter = this.waiting.get(transaction);
      this.waiting.delete(transaction);
      if (waiter) how(waiter);
    };
    try {
      const reply = await post(`${this.apiUrl}/${this.id}/${handleId}`, { ...body, transaction });
      // A synchronous request (e.g. create) answers at once; an asynchronous one is acked and answered by an event.
      if (reply.janus !== 'ack') settle((w) => w.resolve(reply));
    } catch (err) {
      settle((w) => w.reject(err as Error));
    }
    return event;
  }

  async destroy(): Promise<void> {
    this.polling.abort();
    await post(`${this.apiUrl}/${this.id}`, { janus: 'destroy' }).catch(() => {});
  }

  /** The long poll: hands each event to the request with its transaction; other events (webrtcup, media, …) are dropped. */
  private async poll(): Promise<void> {
    while (!this.polling.signal.aborted) {
      try {
        const response = await fetch(`${this.apiUrl}/${this.id}?maxev=50&rid=${Date.now()}`, { signal: this.polling.signal });
        const body = (await response.json()) as JanusMessage | JanusMessage[];
        for (const event of Array.isArray(body) ? body : [body]) {
          const waiter = event.transaction ? this.waiting.get(event.transaction) : undefined;
          if (!waiter) continue;
          this.waiting.delete(event.transaction!);
          if (event.janus === 'error') waiter.reject(new Error(`janus: ${event.error?.reason}`));
          else waiter.resolve(event);
        }
      } catch (err) {
        if (this.polling.signal.aborted) return;
        for (const waiter of this.waiting.values()) waiter.reject(err as Error);
        this.waiting.clear();
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}

export class VideoRoomHandle {
  constructor(
    private readonly session: JanusSession,
    readonly id: number,
  ) {}

  /** Sends a VideoRoom request (with a JSEP, if given) and returns the plugin's answer; a VideoRoom error rejects. */
  async request(body: Record<string, unknown>, jsep?: Jsep): Promise<PluginReply> {
    const reply = await this.session.send(this.id, { janus: 'message', body, ...(jsep && { jsep }) });
    if (reply.janus === 'error') throw new Error(`janus: ${reply.error?.reason}`);
    const data = reply.plugindata?.data ?? {};
    if (data.error) throw new Error(`janus videoroom ${String(body.request)}: ${String(data.error)}`);
    return { data, jsep: reply.jsep };
  }
}

async function post(url: string, body: Record<string, unknown>): Promise<JanusMessage> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ transaction: randomUUID(), ...body }),
  });
  const reply = (await response.json()) as JanusMessage;
  if (reply.janus === 'error') throw new Error(`janus ${String(body.janus)}: ${reply.error?.reason}`);
  return reply;
}
