import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { type ServerMessage, parseServerMessage } from '../../src/protocol/index.js';
import { type StageServer, startStageServer } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';

/** A client of the events channel that queues what it receives. */
class EventsClient {
  private readonly queue: ServerMessage[] = [];
  private readonly waiters: Array<(m: ServerMessage) => void> = [];
  readonly closed: Promise<number>;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = parseServerMessage(data.toString());
      const waiter = this.waiters.shift();
      if (waiter) waiter(message);
      else this.queue.push(message);
    });
    this.closed = new Promise((resolve) => socket.on('close', (code) => resolve(code)));
  }

  static async open(url: string): Promise<EventsClient> {
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return new EventsClient(socket);
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  next(timeoutMs = 5000): Promise<ServerMessage> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message')), timeoutMs);
      this.waiters.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  }
}

describe('events channel', () => {
  let server: StageServer;
  let dataDir: string;
  let eventsUrl: string;

  async function token(stage: string, userId: string, extra = ''): Promise<string> {
    const response = await fetch(`${server.url}/dev/token?stage=${stage}&userId=${userId}${extra}`);
    assert.equal(response.status, 200);
    return ((await response.json()) as { token: string }).token;
  }

  async function joined(stage: string, userId: string) {
    const client = await EventsClient.open(eventsUrl);
    const t = await token(stage, userId);
    client.send({ type: 'join', token: t });
    const first = await client.next();
    assert.equal(first.type, 'joined');
    return { client, token: t, joined: first as Extract<ServerMessage, { type: 'joined' }> };
  }

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'events-test-'));
    server = await startStageServer(loadConfig({ HOST: '127.0.0.1', PORT: '0', STAGE_DATA_DIR: dataDir, STAGE_DEV: '1', STAGE_DEV_TOKENS: '1' }));
    eventsUrl = server.url.replace(/^http/, 'ws') + '/events';
  });
  after(async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('announces joins, mute changes and leaves to the others on the stage', async () => {
    const a = await joined('presence', 'ana');
    assert.equal(a.joined.self.userId, 'ana');
    assert.deepEqual(a.joined.participants, []);

    const b = await joined('presence', 'bo');
    assert.deepEqual(b.joined.participants.map((p) => p.userId), ['ana']);
    const seen = await a.client.next();
    assert.equal(seen.type, 'participant-joined');
    assert.equal(seen.type === 'participant-joined' && seen.participant.userId, 'bo');

    b.client.send({ type: 'mute', kind: 'audio', muted: true });
    const muted = await a.client.next();
    assert.equal(muted.type === 'participant-updated' && muted.participant.audioMuted, true);

    b.client.socket.close();
    const left = await a.client.next();
    assert.deepEqual(left, { type: 'participant-left', participantId: b.joined.self.id });
    a.client.socket.close();
  });

  it('a second connection with the same token makes the first leave with token-reused', async () => {
    const first = await joined('reuse', 'ana');
    const second = await EventsClient.open(eventsUrl);
    second.send({ type: 'join', token: first.token });
    assert.deepEqual(await first.client.next(), { type: 'left', reason: 'token-reused' });
    assert.equal(await first.client.closed, 4000);
    assert.equal((await second.next()).type, 'joined');
    second.socket.close();
  });

  it('rejects anything but join first, malformed messages, and bad tokens', async () => {
    for (const [payload, code] of [
      [{ type: 'mute', kind: 'audio', muted: true }, 'bad-message'],
      ['not json', 'bad-message'],
      [{ type: 'join', token: 'a.b.c' }, 'token-invalid'],
    ] as const) {
      const client = await EventsClient.open(eventsUrl);
      client.send(payload);
      const message = await client.next();
      assert.equal(message.type, 'error');
      assert.equal(message.type === 'error' && message.code, code);
      assert.equal(await client.closed, 4001);
    }
  });

  it('refuses a token whose stage was deleted', async () => {
    const t = await token('doomed', 'ana');
    const stageArn = JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString()).resource as string;
    const { IVSRealTimeClient, DeleteStageCommand } = await import('@aws-sdk/client-ivs-realtime');
    const ivs = new IVSRealTimeClient({ endpoint: server.url, region: 'us-east-1', credentials: server.config.credentials });
    await ivs.send(new DeleteStageCommand({ arn: stageArn }));
    const client = await EventsClient.open(eventsUrl);
    client.send({ type: 'join', token: t });
    const message = await client.next();
    assert.equal(message.type === 'error' && message.code, 'stage-not-found');
  });
});
