import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { CreateParticipantTokenCommand, CreateStageCommand, IVSRealTimeClient, ListStagesCommand } from '@aws-sdk/client-ivs-realtime';
import WebSocket from 'ws';
import type { StageServer } from '../../src/server/app.js';
import { ConfigError, loadConfig } from '../../src/server/config.js';
import { clientKey } from '../../src/server/rate-limit/client-key.js';
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

  it('limits an IPv6 /64 as one client, and an IPv4-mapped address as its IPv4', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 2 }, () => 0);
    const from = (address: string) => ({ socket: { remoteAddress: address } }) as IncomingMessage;
    assert.deepEqual(
      [limiter.take(from('2001:db8:1:2::1')), limiter.take(from('2001:db8:1:2:ffff:0:0:9')), limiter.take(from('2001:0db8:0001:0002::abcd'))],
      [true, true, false],
    );
    assert.equal(limiter.take(from('2001:db8:1:3::1')), true, 'the next /64 is another client');
    assert.deepEqual([limiter.take(from('::ffff:192.0.2.7')), limiter.take(from('192.0.2.7')), limiter.take(from('192.0.2.7'))], [true, true, false]);
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
    assert.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(clientKey('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64');
    assert.equal(clientKey(undefined), 'unknown');
  });

  it('forgets quiet clients when many are tracked, but never one that is being throttled', () => {
    let now = 0;
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, () => now);
    const from = (address: string) => ({ socket: { remoteAddress: address } }) as IncomingMessage;
    const flooder = from('198.51.100.1');
    assert.equal(limiter.take(flooder), true);
    // Twenty thousand one-off clients: each bucket is spent, so they are only forgotten once refilled.
    for (let i = 0; i < 20_000; i++) limiter.take(from(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`));
    assert.equal(limiter.take(flooder), false, 'the flooder was not forgotten while it was throttled');
    now += 2000;
    for (let i = 0; i < 20_000; i++) limiter.take(from(`10.1${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`));
    assert.equal(limiter.take(flooder), true);
  });
});

describe('rate limit configuration', () => {
  const production = { STAGE_DEV: '0', STAGE_ACCESS_KEY_ID: 'KEY', STAGE_SECRET_ACCESS_KEY: 'secret' };

  it('limits by default in every mode, and takes a rate that is set', () => {
    const defaults = { controlPlane: { perSecond: 50, burst: 100 }, connections: { perSecond: 20, burst: 60 } };
    assert.deepEqual(loadConfig(production).rateLimits, defaults);
    assert.deepEqual(loadConfig({ STAGE_DEV: '1' }).rateLimits, defaults);
    assert.deepEqual(loadConfig({ STAGE_DEV: '1', STAGE_CONNECT_RATE: '5' }).rateLimits.connections, { perSecond: 5, burst: 10 });
    assert.throws(() => loadConfig({ ...production, STAGE_CONTROL_BURST: '5' }), ConfigError);
    assert.throws(() => loadConfig({ ...production, STAGE_CONTROL_RATE: 'fast' }), ConfigError);
  });

  it('limits each events socket by default, and takes the settings that are given', () => {
    assert.deepEqual(loadConfig(production).eventsLimits, { messages: { perSecond: 20, burst: 40 }, sendBufferBytes: 1024 * 1024 });
    assert.deepEqual(loadConfig({ ...production, STAGE_EVENTS_RATE: '5', STAGE_EVENTS_SEND_BUFFER: '4096' }).eventsLimits, {
      messages: { perSecond: 5, burst: 10 },
      sendBufferBytes: 4096,
    });
    assert.throws(() => loadConfig({ ...production, STAGE_EVENTS_SEND_BUFFER: '-1' }), /STAGE_EVENTS_SEND_BUFFER/);
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

  it('survives throttled upgrades whose clients reset the connection at once', async () => {
    // Still throttled from the test before: each upgrade is answered 429 on a socket the client has reset.
    const { port } = new URL(server.url);
    for (let i = 0; i < 50; i++) {
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => {});
      await once(socket, 'connect');
      socket.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      socket.resetAndDestroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The process is still here (an unhandled socket error would have ended this test run) and still answers.
    assert.equal((await fetch(`${server.url}/whep/someone`, { method: 'OPTIONS' })).status, 204);
  });
});
