import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StageEvent } from '../../src/server/webhooks/stage-event.js';
import { webhookSignature } from '../../src/server/webhooks/webhook-sender.js';

export const SECRET = 'a-webhook-secret-of-some-length';

type Answer = (res: ServerResponse, status: number, index: number) => unknown;

/**
 * A backend receiving webhooks: checks each signature, hands the events over
 * in arrival order with their `x-stage-event-id`, and answers with the next status of `statuses` (then 200),
 * or as `answer` does with it and the request's index.
 */
export async function startReceiver(statuses: number[] = [], answer: Answer = (res, status) => res.writeHead(status).end()) {
  const received: { event: StageEvent; eventId: string | undefined; status: number }[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const signature = String(req.headers['x-stage-signature']);
    const timestamp = Number(/^t=(\d+),/.exec(signature)?.[1]);
    assert.equal(signature, webhookSignature(SECRET, timestamp, body));
    const event = JSON.parse(body) as StageEvent;
    const status = statuses.shift() ?? 200;
    received.push({ event, eventId: req.headers['x-stage-event-id'] as string | undefined, status });
    waiters.shift()?.();
    await answer(res, status, received.length - 1);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    /** Resolves once `count` requests have arrived. */
    async until(count: number) {
      while (received.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

