import type { IncomingMessage, ServerResponse } from 'node:http';
import { PARTICIPANT_ID_PATTERN, type ParticipantTokenClaims, SDP_CONTENT_TYPE, WireFormatError, parseSubscriptionUpdate } from '../../protocol/index.js';
import { HttpError, type RequestHandler, bearerToken, sendText } from '../http/http-util.js';
import type { LiveStages } from '../live/live-stages.js';
import { acceptBundleOnly } from './bundle-only.js';
import { CORS_HEADERS, readTypedBody, sendEmpty, sendPreflight } from './media-http.js';
import type { SubscriberCapacity } from '../live/subscriber-capacity.js';
import type { TokenLeases } from '../tokens/token-leases.js';
import { PublisherSlots } from './publisher-slots.js';
import { OfferError } from './sfu/negotiate.js';
import type { PublisherSession } from './sfu/publisher-session.js';
import { isOwnerToken } from './sfu/session-owner.js';
import { PublisherGoneError, type Sfu, SfuClosedError, SubscriptionPendingError } from './sfu/sfu.js';
import type { SubscriberSession } from './sfu/subscriber-session.js';

/**
 * Verifies participant tokens. Rejections carrying `code: 'invalid' | 'expired'`
 * (as ParticipantTokens' TokenError does) answer 401; anything else is a server error.
 */
export interface TokenVerifier {
  verify(token: string): Promise<ParticipantTokenClaims>;
}

export interface MediaDeps {
  tokens: TokenVerifier;
  live: LiveStages;
  sfu: Sfu;
  /** True when the stage ARN names a stage that exists; without it every stage a valid token names is taken to exist. */
  stageExists?(arn: string): boolean;
  /** Ends each session when its token expires or its signing key is deleted. */
  leases: TokenLeases;
  /** Subscribers beyond the limit are refused with 503 `stage-at-capacity`; without it there is no limit. */
  capacity?: SubscriberCapacity;
}

/** An SDP offer is a few KiB; this leaves room for many codecs and candidates. */
const MAX_SDP_BYTES = 64 * 1024;
const MAX_UPDATE_BYTES = 1024;

type Route =
  | { name: 'whip' }
  | { name: 'whep'; participantId: string }
  | { name: 'whip-session' | 'whep-session'; sessionId: string };

const ROUTE_METHODS: Record<Route['name'], readonly string[]> = {
  whip: ['POST'],
  whep: ['POST'],
  'whip-session': ['DELETE'],
  'whep-session': ['PATCH', 'DELETE'],
};

/**
 * WHIP (publish) and WHEP (subscribe) endpoints, see src/protocol/media.ts:
 * POST /whip, DELETE /whip/sessions/<id>, POST /whep/<participantId>,
 * PATCH and DELETE /whep/sessions/<id>.
 */
export function createMediaHandler(deps: MediaDeps): RequestHandler {
  const slots = new PublisherSlots(deps.live);
  return async (req, res, url) => {
    const route = matchRoute(url.pathname);
    if (!route) return false;
    const methods = ROUTE_METHODS[route.name];
    if (req.method === 'OPTIONS') {
      sendPreflight(res, methods);
      return true;
    }
    try {
      if (!methods.includes(req.method ?? '')) {
        // RFC 9725: a server without trickle ICE answers PATCH on a WHIP session with 405.
        throw new HttpError(405, `${req.method} is not supported here; use ${methods.join(' or ')}`);
      }
      await handle(deps, slots, route, req, res, url);
    } catch (err) {
      sendError(res, err, methods);
    }
    return true;
  };
}

async function handle(deps: MediaDeps, slots: PublisherSlots, route: Route, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  switch (route.name) {
    case 'whip':
      return publish(deps, slots, req, res);
    case 'whep':
      return subscribe(deps, route.participantId, req, res, url);
    case 'whip-session':
      return endSession(ownedSession(req, deps.sfu.publisherSession(route.sessionId)), res);
    case 'whep-session': {
      const session = ownedSession(req, deps.sfu.subscriberSession(route.sessionId));
      if (req.method === 'DELETE') return endSession(session, res);
      const update = parseSubscriptionUpdate(await readTypedBody(req, 'application/json', MAX_UPDATE_BYTES));
      session.setVideo(update.video);
      return sendEmpty(res, 204);
    }
  }
}

async function publish(deps: MediaDeps, slots: PublisherSlots, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { claims, token } = await authenticate(deps, req);
  if (!claims.capabilities.allow_publish) throw new HttpError(403, 'this participant token does not allow publishing');
  const release = slots.claim(claims);
  try {
    const offer = await readOffer(req);
    const { session, answerSdp } = await deps.sfu.publish(claims, token, offer);
    session.onClose(release);
    holdLease(deps.leases, token, claims, session);
    sendAnswer(res, answerSdp, `/whip/sessions/${session.id}`);
  } catch (error) {
    release();
    throw error;
  }
}

async function subscribe(deps: MediaDeps, participantId: string, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const { live, sfu } = deps;
  const { claims, token } = await authenticate(deps, req);
  if (!claims.capabilities.allow_subscribe) throw new HttpError(403, 'this participant token does not allow subscribing');
  const video = videoQuery(url);
  // Only participants of the token's own stage can be found, and only once their media flows.
  const publisher = live.get(claims.topic, participantId)?.published ? sfu.publisherOf(claims.topic, participantId) : undefined;
  if (!publisher) throw new HttpError(404, `participant ${participantId} is not publishing on this stage`);
  const offer = await readOffer(req);
  // Checked with nothing awaited before subscribe() counts the new subscription, so simultaneous offers cannot all pass.
  if (deps.capacity?.full(claims.topic, claims.jti)) {
    throw new HttpError(503, `stage-at-capacity: the stage already has ${deps.capacity.max} participants who do not publish`);
  }
  const { session, answerSdp } = await sfu.subscribe(claims, token, publisher, offer, { video });
  holdLease(deps.leases, token, claims, session);
  sendAnswer(res, answerSdp, `/whep/sessions/${session.id}`);
}

/** A session ends when its token expires or the key that signed it is deleted. */
function holdLease(leases: TokenLeases, token: string, claims: ParticipantTokenClaims, session: PublisherSession | SubscriberSession): void {
  const lease = leases.hold(token, claims, () => void session.close());
  session.onClose(() => lease.release());
}

/** The SDP offer of a WHIP or WHEP POST, as werift can answer it (see acceptBundleOnly). */
async function readOffer(req: IncomingMessage): Promise<string> {
  return acceptBundleOnly(await readTypedBody(req, SDP_CONTENT_TYPE, MAX_SDP_BYTES));
}

async function endSession(session: PublisherSession | SubscriberSession, res: ServerResponse): Promise<void> {
  await session.close();
  sendEmpty(res, 200);
}

async function authenticate({ tokens, stageExists }: MediaDeps, req: IncomingMessage): Promise<{ claims: ParticipantTokenClaims; token: string }> {
  const token = requireBearer(req);
  let claims: ParticipantTokenClaims;
  try {
    claims = await tokens.verify(token);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'invalid' || code === 'expired' || code === 'revoked') throw new HttpError(401, `participant token ${code}: ${(err as Error).message}`);
    throw err;
  }
  if (stageExists && !stageExists(claims.resource)) throw new HttpError(404, 'stage-not-found: the stage of this token does not exist');
  return { claims, token };
}

function requireBearer(req: IncomingMessage): string {
  const token = bearerToken(req);
  if (!token) throw new HttpError(401, 'missing "Authorization: Bearer <participant token>"');
  return token;
}

/** The session, if it exists and the request carries the token that created it. */
function ownedSession<S extends PublisherSession | SubscriberSession>(req: IncomingMessage, session: S | undefined): S {
  const token = requireBearer(req);
  if (!session) throw new HttpError(404, 'no such session (it may have ended)');
  if (!isOwnerToken(session.owner, token)) throw new HttpError(403, 'only the token that created this session may change or end it');
  return session;
}

function videoQuery(url: URL): boolean {
  const value = url.searchParams.get('video');
  if (value === null || value === 'true') return true;
  if (value === 'false') return false;
  throw new HttpError(400, `query parameter video must be "true" or "false", not "${value}"`);
}

function matchRoute(pathname: string): Route | undefined {
  const parts = pathname.split('/').slice(1);
  if (parts[0] !== 'whip' && parts[0] !== 'whep') return undefined;
  if (parts[0] === 'whip' && parts.length === 1) return { name: 'whip' };
  if (parts.length === 3 && parts[1] === 'sessions' && parts[2]) return { name: `${parts[0]}-session`, sessionId: parts[2] };
  if (parts[0] === 'whep' && parts.length === 2) {
    const participantId = safeDecode(parts[1]);
    if (participantId && PARTICIPANT_ID_PATTERN.test(participantId)) return { name: 'whep', participantId };
  }
  return undefined;
}

function safeDecode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

function sendAnswer(res: ServerResponse, answerSdp: string, location: string): void {
  res.writeHead(201, { ...CORS_HEADERS, 'content-type': SDP_CONTENT_TYPE, 'content-length': Buffer.byteLength(answerSdp), location });
  res.end(answerSdp);
}

function sendError(res: ServerResponse, err: unknown, methods: readonly string[]): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const [status, message] = describeError(err);
  if (status === 500) console.error('[media] request failed:', err);
  const headers: Record<string, string> = { ...CORS_HEADERS };
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  if (status === 405) headers.allow = [...methods, 'OPTIONS'].join(', ');
  sendText(res, status, message, headers);
}

function describeError(err: unknown): [number, string] {
  if (err instanceof HttpError) return [err.status, err.message];
  if (err instanceof OfferError || err instanceof WireFormatError) return [400, err.message];
  if (err instanceof PublisherGoneError) return [404, err.message];
  if (err instanceof SubscriptionPendingError) return [409, err.message];
  if (err instanceof SfuClosedError) return [503, err.message];
  return [500, 'internal error'];
}
