import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { CreateParticipantTokenCommand, CreateStageCommand, IVSRealTimeClient, ListStagesCommand } from '@aws-sdk/client-ivs-realtime';
import WebSocket from 'ws';
import type { StageServer } from '../../src/server/app.js';
import { ConfigError, loadConfig } from '../../src/server/config.js';
import { RateLimiter } from '../../src/server/rate-limit/rate-limiter.js';
import { expectApiError, startServer } from './control-plane-harness.js';

const BURST = 3;

describe('RateLimiter', () => {
  it('allows a burst, then one request per interval, and never saves up more than the burst', () => {
    let now = 0;
    const limiter = new RateLimiter({ perSecond: 2, burst: 2 }, () => now);
    const from = (address: string) => ({ socket: { remoteAddress: address } }) as IncomingMessage;
    const a = from('192.0.2.1');
    assert.deepEqual([limiter.take(a), limiter.take(a), limiter.take(a)], [true, true, false]);
    assert.equal(limiter.take(from('192.0.2.2')), true);
    now += 500;
    assert.deepEqual([limiter.take(a), limiter.take(a)], [true, false]);
    now += 60_000;
    assert.deepEqual([limiter.take(a), limiter.take(a), limiter.take(a)], [true, true, false]);
  });
});

describe('rate limit configuration', () => {
  const production = { STAGE_DEV: '0', STAGE_ACCESS_KEY_ID: 'KEY', STAGE_SECRET_ACCESS_KEY: 'secret' };

  it('limits by default outside development mode, and only where set inside it', () => {
    assert.deepEqual(loadConfig(production).rateLimits, { controlPlane: { perSecond: 50, burst: 100 }, connections: { perSecond: 20, burst: 60 } });
    assert.deepEqual(loadConfig({ STAGE_DEV: '1' }).rateLimits, { controlPlane: undefined, connections: undefined });
    assert.deepEqual(loadConfig({ STAGE_DEV: '1', STAGE_CONNECT_RATE: '5' }).rateLimits.connections, { perSecond: 5, burst: 10 });
    assert.throws(() => loadConfig({ ...production, STAGE_CONTROL_BURST: '5' }), ConfigError);
    assert.throws(() => loadConfig({ ...production, STAGE_CONTROL_RATE: 'fast' }), ConfigError);
  });
});

describe('rate and size limits of a running server', () => {
  let server: StageServer;
  let client: IVSRealTimeClient;
  let close: () => Promise<void>;

  before(async () => {
    ({ server, client, close } = await startServer({
      // One request a second: a test's requests follow each other far faster than that.
      STAGE_CONTROL_RATE: '1',
      STAGE_CONTROL_BURST: String(BURST + 2),
      STAGE_CONNECT_RATE: '1',
      STAGE_CONNECT_BURST: String(BURST),
    }));
  });
  after(() => close());

  it('refuses a body over 64 KiB with ValidationException, and then throttles the control plane with ThrottlingException', async () => {
    const { stage } = await client.send(new CreateStageCommand({}));
    await expectApiError(
      client.send(new CreateParticipantTokenCommand({ stageArn: stage!.arn, attributes: { big: 'x'.repeat(70 * 1024) } })),
      'ValidationException',
      /exceeds/,
    );
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++) {
      outcomes.push(await client.send(new ListStagesCommand({})).then(() => 'ok', (error: Error & { $metadata?: { httpStatusCode?: number } }) => `${error.name} ${error.$metadata?.httpStatusCode}`));
    }
    assert.deepEqual(outcomes.slice(0, BURST), Array(BURST).fill('ok'));
    assert.ok(outcomes.includes('ThrottlingException 429'), outcomes.join(', '));
  });

  it('throttles connection attempts: WHIP and WHEP answer 429, the events upgrade is refused', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < BURST; i++) {
      statuses.push((await fetch(`${server.url}/whip`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: 'v=0' })).status);
    }
    assert.deepEqual(statuses, Array(BURST).fill(401));
    const throttled = await fetch(`${server.url}/whep/someone`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: 'v=0' });
    assert.equal(throttled.status, 429);
    assert.ok(Number(throttled.headers.get('retry-after')) >= 1);

    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/events`);
    const [error] = (await once(socket, 'error')) as [Error];
    assert.match(error.message, /Unexpected server response: 429/);
  });
});
