import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { after, before } from 'node:test';
import { type StageServer, startStageServer } from '../../src/server/app.js';
import { DEFAULT_EVENTS_LIMITS, DEFAULT_RATE_LIMITS, type ServerConfig, loadConfig } from '../../src/server/config.js';
import { createControlPlane } from '../../src/server/control-plane/control-plane.js';
import type { RequestHandler } from '../../src/server/http/http-util.js';
import { LiveStages } from '../../src/server/live/live-stages.js';
import { recordSessions } from '../../src/server/sessions/session-recorder.js';
import { type Stores, openStores } from '../../src/server/store/stores.js';
import { ParticipantTokens } from '../../src/server/tokens/participant-tokens.js';
import { devServerEnv } from '../helpers/node/stage-server-process.mjs';
import { TokenLeases } from '../../src/server/tokens/token-leases.js';

export const REGION = 'us-east-1';
export const CREDENTIALS = { accessKeyId: 'TESTACCESSKEY', secretAccessKey: 'test-secret-access-key' };
export const ARN_PREFIX = 'arn:aws:ivs:us-east-1:000000000000:stage/';

/** Serves `handler`, answering 404 when it declines a request. */
export async function listen(handler: RequestHandler): Promise<{ server: Server; origin: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    handler(req, res, url).then((handled) => {
      if (!handled) res.writeHead(404).end('next handler');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export function clientFor(origin: string, options: { secretAccessKey?: string; systemClockOffset?: number } = {}): IVSRealTimeClient {
  return new IVSRealTimeClient({
    endpoint: origin,
    region: REGION,
    credentials: { ...CREDENTIALS, ...(options.secretAccessKey && { secretAccessKey: options.secretAccessKey }) },
    systemClockOffset: options.systemClockOffset,
    maxAttempts: 1,
  });
}

export async function expectApiError(promise: Promise<unknown>, name: string, messagePattern?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    assert.equal(error.name, name, error.message);
    if (messagePattern) assert.match(error.message, messagePattern);
    return true;
  });
}

export interface ControlPlaneHarness {
  origin: string;
  client: IVSRealTimeClient;
  dataDir: string;
  stores: Stores;
  tokens: ParticipantTokens;
  /** Presence, recorded into the session history as in the server. */
  live: LiveStages;
  /** Each participant whose media sessions the control plane ended: `[stageId, participantId]`. */
  closedMedia: [string, string][];
  close(): Promise<void>;
}

/** The control plane over a fresh database, with the official client pointed at it. */
export async function startControlPlane(): Promise<ControlPlaneHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'stage-control-plane-'));
  const config: ServerConfig = {
    host: '127.0.0.1',
    port: 0,
    region: REGION,
    accountId: '000000000000',
    credentials: CREDENTIALS,
    generatedCredentials: false,
    dataDir,
    dev: true,
    maxSubscribers: 1000,
    rateLimits: DEFAULT_RATE_LIMITS,
    eventsLimits: DEFAULT_EVENTS_LIMITS,
    devTokens: false,
  };
  const stores = openStores({ path: join(dataDir, 'stage.sqlite'), region: REGION, accountId: config.accountId });
  const tokens = await ParticipantTokens.open(stores.db, stores);
  const live = new LiveStages();
  const stopRecording = recordSessions(live, stores.sessions);
  let origin = '';
  const closedMedia: [string, string][] = [];
  const media = { closeParticipant: (stageId: string, participantId: string) => void closedMedia.push([stageId, participantId]) };
  const leases = new TokenLeases();
  const served = await listen(createControlPlane({ config, stores, tokens, live, media, leases, publicOrigin: () => origin }));
  origin = served.origin;
  const client = clientFor(origin);
  return {
    origin,
    client,
    dataDir,
    stores,
    tokens,
    live,
    closedMedia,
    async close() {
      client.destroy();
      await served.close();
      stopRecording();
      leases.close();
      stores.db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A whole stage server in this process, on a fresh data folder, with the
 * official client; `env` adds to or overrides the defaults (development mode
 * with generated credentials and `/dev/token`).
 */
export async function startServer(env: Record<string, string> = {}): Promise<{ server: StageServer; client: IVSRealTimeClient; close(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'stage-server-'));
  const server = await startStageServer(loadConfig({ HOST: '127.0.0.1', PORT: '0', STAGE_DATA_DIR: dataDir, ...devServerEnv(env), ...env }));
  const client = new IVSRealTimeClient({ endpoint: server.url, region: REGION, credentials: server.config.credentials, maxAttempts: 1 });
  return {
    server,
    client,
    async close() {
      client.destroy();
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The port of a server that runs for the enclosing `describe`: started before its tests, closed after them. */
export function serverPortForSuite(env: Record<string, string> = {}): () => number {
  let running: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    running = await startServer(env);
  });
  after(() => running.close());
  return () => Number(new URL(running.server.url).port);
}

/** What the WHIP or WHEP endpoint answers `token`; the offer is no SDP, so a token that passes gets 400. */
export async function mediaStatus(url: string, token: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/sdp' }, body: 'v=0' });
  return { status: response.status, text: await response.text() };
}
