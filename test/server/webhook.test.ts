import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, after, before, describe, it } from 'node:test';
import { CreateParticipantTokenCommand, CreateStageCommand } from '@aws-sdk/client-ivs-realtime';
import type { ParticipantTokenClaims } from '../../src/protocol/index.js';
import { ConfigError, loadConfig } from '../../src/server/config.js';
import { LiveStages } from '../../src/server/live/live-stages.js';
import { recordSessions } from '../../src/server/sessions/session-recorder.js';
import { type Stores, openStores } from '../../src/server/store/stores.js';
import { type StageEvent, stageEvent } from '../../src/server/webhooks/stage-event.js';
import { WebhookSender } from '../../src/server/webhooks/webhook-sender.js';
import { startServer } from './control-plane-harness.js';
import { joinEvents } from './events-connection.js';
import { SECRET, startReceiver } from './webhook-receiver.js';

/** `count` events of one session, told apart by participant: p<from>, p<from + 1>, … */
function events(count: number, from = 0): StageEvent[] {
  const stageArn = 'arn:aws:ivs:us-east-1:000000000000:stage/hooked';
  return Array.from({ length: count }, (_, i) => stageEvent('Participant Joined', stageArn, 'session', { participantId: `p${from + i}` }));
}

function participants(received: { event: StageEvent }[]): (string | undefined)[] {
  return received.map((r) => r.event.detail.participant_id);
}

function claimsFor(stageArn: string, participantId: string): ParticipantTokenClaims {
  return {
    jti: participantId,
    resource: stageArn,
    topic: stageArn.split('/').pop()!,
    events_url: 'ws://127.0.0.1/events',
    whip_url: 'http://127.0.0.1/whip',
    capabilities: { allow_publish: true, allow_subscribe: true },
    version: '1.0',
    user_id: `user-${participantId}`,
    attributes: {},
    exp: 0,
    iat: 0,
  };
}

// A webhook that never arrives fails the test by this timeout rather than hanging it.
describe('stage events webhook', { timeout: 60_000 }, () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'stage-webhook-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  /** The stores of the database at `path`, a fresh one by default. */
  const open = (path = join(dataDir, `${randomUUID()}.sqlite`)) => openStores({ path, region: 'us-east-1', accountId: '000000000000' });

  /** A fresh database's webhook outbox, closed once the test ended. */
  function outbox(t: TestContext) {
    const stores = open();
    t.after(() => stores.db.close());
    return stores.webhookOutbox;
  }

  /** Presence recorded into a fresh database, with a sender reporting to a receiver that first answers `statuses`. */
  async function withWebhook(
    statuses: number[],
    run: (ctx: { receiver: Awaited<ReturnType<typeof startReceiver>>; stores: Stores; live: LiveStages }) => Promise<void>,
  ) {
    const receiver = await startReceiver(statuses);
    const stores = open();
    const sender = new WebhookSender({ url: receiver.url, secret: SECRET, retryDelayMs: 1 }, stores.webhookOutbox);
    const live = new LiveStages();
    const stop = recordSessions(live, stores.sessions, sender.send);
    try {
      await run({ receiver, stores, live });
    } finally {
      stop();
      await sender.close();
      stores.db.close();
      await receiver.close();
    }
  }

  it('reports session and participant changes in order, signed, retrying a failed delivery', () =>
    withWebhook([500, 503], async ({ receiver, stores, live }) => {
      const stage = stores.stages.create({ name: 'hooked' });
      const ana = claimsFor(stage.arn, 'ana');
      live.setPublished(ana, ['audio']);
      live.setPublished(ana, []);
      const sessionId = stores.sessions.sessions(stage.arn)[0].sessionId;

      // Six events; the first is answered 500, then 503, and arrives a third time before the others.
      await receiver.until(8);
      // Each try names its event in x-stage-event-id, the retries with the same id.
      assert.deepEqual(receiver.received.slice(0, 3).map((r) => [r.eventId, r.status]), [500, 503, 200].map((status) => [receiver.received[0].event.id, status]));
      assert.deepEqual(receiver.received.map((r) => r.eventId), receiver.received.map((r) => r.event.id));
      const delivered = receiver.received.slice(2).map((r) => r.event);
      assert.deepEqual(
        delivered.map((e) => e.detail.event_name),
        ['Session Created', 'Participant Joined', 'Participant Published', 'Participant Unpublished', 'Participant Left', 'Session Ended'],
      );
      for (const event of delivered) {
        assert.equal(event['detail-type'], 'IVS Stage Update');
        assert.deepEqual(event.resources, [stage.arn]);
        assert.equal(event.detail.session_id, sessionId);
      }
      const joined = delivered.find((e) => e.detail.event_name === 'Participant Joined');
      assert.deepEqual(joined?.detail, { event_name: 'Participant Joined', session_id: sessionId, participant_id: 'ana', user_id: 'user-ana' });
    }));

  it('gives up on an event the receiver refuses with a 4xx', () =>
    withWebhook([400], async ({ receiver, stores, live }) => {
      const stage = stores.stages.create({});
      live.setPublished(claimsFor(stage.arn, 'bo'), ['video']);
      live.setPublished(claimsFor(stage.arn, 'bo'), []);
      await receiver.until(6);
      // The refused first event was not sent again; the five after it were delivered.
      assert.equal(new Set(receiver.received.map((r) => r.event.id)).size, 6);
      assert.deepEqual(receiver.received.map((r) => r.status), [400, 200, 200, 200, 200, 200]);
    }));

  it('is configured from the environment and fed by the running server', async () => {
    const receiver = await startReceiver();
    const env = { STAGE_WEBHOOK_URL: receiver.url, STAGE_WEBHOOK_SECRET: SECRET };
    assert.throws(() => loadConfig({ ...env, STAGE_WEBHOOK_SECRET: 'short' }), ConfigError);
    assert.throws(() => loadConfig({ ...env, STAGE_WEBHOOK_URL: 'ftp://example.com/' }), ConfigError);
    assert.throws(() => loadConfig({ ...env, STAGE_WEBHOOK_URL: '' }), ConfigError);
    assert.throws(() => loadConfig({ ...env, STAGE_WEBHOOK_MAX_QUEUED: '0' }), ConfigError);
    assert.equal(loadConfig({ ...env, STAGE_WEBHOOK_MAX_QUEUED: '50' }).webhook?.maxQueued, 50);
    const { client, close } = await startServer(env);
    try {
      const { stage } = await client.send(new CreateStageCommand({}));
      const { participantToken } = await client.send(new CreateParticipantTokenCommand({ stageArn: stage!.arn, userId: 'cy' }));
      const events = await joinEvents(stage!.endpoints!.events!, participantToken!.token!);
      assert.equal(events.first.type, 'joined');
      await receiver.until(2);
      assert.deepEqual(receiver.received.map((r) => r.event.detail.event_name), ['Session Created', 'Participant Joined']);
      assert.equal(receiver.received[1].event.detail.participant_id, participantToken!.participantId);
      events.socket.close();
      await receiver.until(4);
      assert.deepEqual(receiver.received.slice(2).map((r) => r.event.detail.event_name), ['Participant Left', 'Session Ended']);
    } finally {
      await close();
      await receiver.close();
    }
  });

  it('reports what a stopping server ends, and what a crashed one left open when the next one starts', async () => {
    const receiver = await startReceiver();
    const dir = join(dataDir, 'restarts');
    const env = { STAGE_DATA_DIR: dir, STAGE_WEBHOOK_URL: receiver.url, STAGE_WEBHOOK_SECRET: SECRET };
    try {
      // A clean stop: the participant still connected leaves, the session ends, and both are reported.
      const first = await startServer(env);
      const { stage } = await first.client.send(new CreateStageCommand({}));
      const { participantToken } = await first.client.send(new CreateParticipantTokenCommand({ stageArn: stage!.arn }));
      assert.equal((await joinEvents(stage!.endpoints!.events!, participantToken!.token!)).first.type, 'joined');
      await receiver.until(2);
      await first.close();
      await receiver.until(4);
      assert.deepEqual(receiver.received.slice(2).map((r) => r.event.detail.event_name), ['Participant Left', 'Session Ended']);

      // A crash leaves a session open with someone in it; the next start ends it and says so.
      const stores = open(join(dir, 'stage.sqlite'));
      const sessionId = stores.sessions.joined(stage!.arn!, { participantId: 'ghost', userId: 'casper', attributes: {} })!.sessionId;
      stores.db.close();
      const second = await startServer(env);
      await receiver.until(6);
      assert.deepEqual(
        receiver.received.slice(4).map((r) => [r.event.detail.event_name, r.event.detail.session_id, r.event.detail.participant_id]),
        [
          ['Participant Left', sessionId, 'ghost'],
          ['Session Ended', sessionId, undefined],
        ],
      );
      await second.close();
    } finally {
      await receiver.close();
    }
  });

  it('does not follow a redirect: the signed event goes nowhere else, and is not sent again', async (t) => {
    t.mock.method(console, 'error', () => {});
    let elsewhere = 0;
    const other = createServer((_req, res) => {
      elsewhere++;
      res.end();
    });
    other.listen(0, '127.0.0.1');
    await once(other, 'listening');
    const location = `http://127.0.0.1:${(other.address() as AddressInfo).port}/elsewhere`;
    const receiver = await startReceiver([302, 307], (res, status) => res.writeHead(status, { location }).end());
    const sender = new WebhookSender({ url: receiver.url, secret: SECRET, retryDelayMs: 1 }, outbox(t));
    try {
      for (const event of events(3)) sender.send(event);
      await receiver.until(3);
      assert.deepEqual(receiver.received.map((r) => [r.event.detail.participant_id, r.status]), [['p0', 302], ['p1', 307], ['p2', 200]]);
      assert.equal(elsewhere, 0);
    } finally {
      await sender.close();
      await receiver.close();
      other.closeAllConnections();
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('bounds each try: a receiver stalling before or after its headers does not hold the next event', async (t) => {
    // The first answer stops after its headers (its status counts, the body is not awaited); the second never starts.
    const receiver = await startReceiver([], (res, status, index) => {
      if (index === 0) res.writeHead(200, { 'content-length': '1000' }).write('{');
      else if (index > 1) res.writeHead(status).end();
    });
    const sender = new WebhookSender({ url: receiver.url, secret: SECRET, retryDelayMs: 1, timeoutMs: 300 }, outbox(t));
    try {
      for (const event of events(3)) sender.send(event);
      await receiver.until(4);
      assert.deepEqual(participants(receiver.received), ['p0', 'p1', 'p1', 'p2']);
    } finally {
      await sender.close();
      await receiver.close();
    }
  });

  it('keeps at most maxQueued events for a slow receiver, counts the dropped ones, and delivers what follows once it catches up', async (t) => {
    const warn = t.mock.method(console, 'warn', () => {});
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const receiver = await startReceiver([], async (res, status) => {
      await released;
      res.writeHead(status).end();
    });
    const sender = new WebhookSender({ url: receiver.url, secret: SECRET, maxQueued: 3 }, outbox(t));
    try {
      const [first, ...burst] = events(1001);
      sender.send(first);
      await receiver.until(1);
      // p0 is being delivered; of the thousand behind it only the newest three are kept.
      for (const event of burst) sender.send(event);
      assert.equal(sender.dropped, 997);
      assert.equal(warn.mock.callCount(), 1);
      release();
      await receiver.until(4);
      sender.send(events(1, 1001)[0]);
      await receiver.until(5);
      assert.deepEqual(participants(receiver.received), ['p0', 'p998', 'p999', 'p1000', 'p1001']);
      assert.equal(sender.dropped, 997);
    } finally {
      release();
      await sender.close();
      await receiver.close();
    }
  });

  it('settles close() within its timeout while one event waits to be retried and the receiver stops answering', { timeout: 10_000 }, async (t) => {
    t.mock.method(console, 'warn', () => {});
    const error = t.mock.method(console, 'error', () => {});
    const receiver = await startReceiver([503], (res, status, index) => index === 0 && res.writeHead(status).end());
    const queue = outbox(t);
    const sender = new WebhookSender({ url: receiver.url, secret: SECRET, retryDelayMs: 60_000, timeoutMs: 300, maxQueued: 5 }, queue);
    try {
      for (const event of events(20)) sender.send(event);
      // p0 was refused with 503 and waits a minute to be retried; close cuts that short.
      await receiver.until(1);
      await sender.close();
      assert.equal(sender.dropped, 14);
      // p0's last try found no answer: it and the five newest wait for the next start.
      assert.match(String(error.mock.calls.at(-1)?.arguments[0]), /^\[webhook\] 6 events were not delivered/);
      assert.equal(queue.size(), 6);
    } finally {
      await receiver.close();
    }
  });

  it('names each event in x-stage-event-id, the same on every try, and delivers what a stopped sender left once the next one starts', async (t) => {
    const error = t.mock.method(console, 'error', () => {});
    const statuses = [503, 503];
    const receiver = await startReceiver(statuses);
    const path = join(dataDir, `${randomUUID()}.sqlite`);
    const sent = events(3);
    try {
      const before = open(path);
      const first = new WebhookSender({ url: receiver.url, secret: SECRET, retryDelayMs: 60_000 }, before.webhookOutbox);
      for (const event of sent) first.send(event);
      // p0 is answered 503 and waits a minute; close gives it one last try (or lets the one in flight be that), answered 503 too.
      await receiver.until(1);
      await first.close();
      const tries = receiver.received.length;
      assert.match(String(error.mock.calls.at(-1)?.arguments[0]), /^\[webhook\] 3 events were not delivered/);
      assert.equal(before.webhookOutbox.first()?.attempts, tries);
      before.db.close();

      // The next start picks up where this one stopped, with its own (shorter) backoff bounding the wait.
      statuses.length = 0;
      const after = open(path);
      const second = new WebhookSender({ url: receiver.url, secret: SECRET, retryDelayMs: 1 }, after.webhookOutbox);
      await receiver.until(tries + 3);
      await second.close();
      assert.equal(after.webhookOutbox.size(), 0);
      after.db.close();
      assert.deepEqual(
        receiver.received.map((r) => [r.eventId, r.event.detail.participant_id, r.status]),
        [
          ...Array.from({ length: tries }, () => [sent[0].id, 'p0', 503]),
          [sent[0].id, 'p0', 200],
          [sent[1].id, 'p1', 200],
          [sent[2].id, 'p2', 200],
        ],
      );
    } finally {
      await receiver.close();
    }
  });
});
