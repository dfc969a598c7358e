import { mkdir } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerConfig } from './config.js';
import { createControlPlane } from './control-plane/control-plane.js';
import { createDevTokenHandler } from './dev/dev-tokens.js';
import { EventsServer } from './events/events-server.js';
import { SubscriberCapacity } from './live/subscriber-capacity.js';
import { TokenLeases } from './tokens/token-leases.js';
import { HttpError, type RequestHandler, closeWhenAnsweredEarly, requestUrl, sendText } from './http/http-util.js';
import { LiveStages } from './live/live-stages.js';
import { createMediaHandler } from './media/media-routes.js';
import { Sfu } from './media/sfu/sfu.js';
import { chooseMediaPath } from './media/sfu/media-path.js';
import { createStaticHandler } from './static/static-files.js';
import { createConnectionThrottle } from './rate-limit/connection-throttle.js';
import { RateLimiter } from './rate-limit/rate-limiter.js';
import { endLeftoverSessions, recordSessions } from './sessions/session-recorder.js';
import { defaultDatabasePath, openStores } from './store/stores.js';
import { ParticipantTokens } from './tokens/participant-tokens.js';
import { WebhookSender } from './webhooks/webhook-sender.js';

export interface StageServer {
  /** Origin the server is reachable at, e.g. http://127.0.0.1:7070 */
  readonly url: string;
  readonly config: ServerConfig;
  /** True when the development-only demo token endpoint is mounted. */
  readonly devTokens: boolean;
  /** Which path the SFU decrypts and forwards media with, and why (see media-path.ts). */
  readonly mediaPath: string;
  close(): Promise<void>;
}

/** Starts the whole stage server: control plane, events channel, WHIP/WHEP with the SFU, demo files. */
export async function startStageServer(config: ServerConfig): Promise<StageServer> {
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const stores = openStores({ path: config.databasePath ?? defaultDatabasePath(config.dataDir), region: config.region, accountId: config.accountId });
  const tokens = await ParticipantTokens.open(stores.db, stores);
  const live = new LiveStages();
  const webhook = config.webhook && new WebhookSender(config.webhook, stores.webhookOutbox);
  const notify = webhook ? webhook.send : () => {};
  // Nobody is connected to a server that just started: sessions a crashed run left open are over.
  endLeftoverSessions(stores.sessions, notify);
  const stopRecording = recordSessions(live, stores.sessions, notify);
  const mediaPath = chooseMediaPath();
  const sfu = new Sfu({ live, mediaPath });
  const stageExists = (arn: string) => stores.stages.get(arn) !== undefined;
  const leases = new TokenLeases();
  const capacity = new SubscriberCapacity(live, (stageId) => sfu.subscriberIds(stageId), config.maxSubscribers);
  const events = new EventsServer({ live, tokens, stageExists, capacity, limits: config.eventsLimits, leases });

  const throttle = createConnectionThrottle(new RateLimiter(config.rateLimits.connections));
  let origin = '';
  const publicOrigin = () => config.publicUrl ?? origin;
  const handlers: RequestHandler[] = [
    ...(config.devTokens ? [createDevTokenHandler({ store: stores.stages, tokens, publicOrigin })] : []),
    throttle.handler,
    createMediaHandler({ tokens, live, sfu, stageExists, capacity, leases }),
    createControlPlane({ config, stores, tokens, live, media: sfu, leases, publicOrigin }),
    ...(config.staticDir ? [createStaticHandler(config.staticDir)] : []),
  ];

  const server: Server = createServer(async (req, res) => {
    closeWhenAnsweredEarly(req, res);
    try {
      const url = requestUrl(req);
      if (!url) return sendText(res, 400, 'the request target is not a path');
      for (const handler of handlers) {
        if (await handler(req, res, url)) return;
      }
      sendText(res, 404, 'not found');
    } catch (error) {
      if (res.headersSent) return void res.destroy();
      if (error instanceof HttpError) return sendText(res, error.status, error.message, { 'access-control-allow-origin': '*' });
      console.error('[stage-server] request failed:', error);
      sendText(res, 500, 'internal error');
    }
  });
  server.on('upgrade', (req, socket, head) => {
    // Until ws takes the socket over, nothing else listens: a client's reset would be an uncaught error.
    socket.on('error', () => socket.destroy());
    if (throttle.allowUpgrade(req, socket) && !events.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  // After listening, an accept error (too many open files …) must not end the server.
  server.on('error', (error) => console.error('[stage-server] server error:', error.message));
  const { port } = server.address() as AddressInfo;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  origin = `http://${hostForUrl}:${port}`;

  return {
    url: publicOrigin(),
    config,
    devTokens: config.devTokens,
    mediaPath: mediaPath.description,
    async close() {
      // Stop accepting first; then the clients hear to come back, and media ends.
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await events.close();
      await sfu.close();
      leases.close();
      server.closeAllConnections();
      await stopped;
      stopRecording();
      // Connections end asynchronously: whoever they have not yet recorded as gone leaves with the server.
      endLeftoverSessions(stores.sessions, notify);
      // Before the database closes: the webhook deletes what it delivers, and keeps the rest for the next start.
      await webhook?.close();
      stores.db.close();
    },
  };
}
