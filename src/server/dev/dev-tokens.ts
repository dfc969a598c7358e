import type { IncomingMessage } from 'node:http';
import { HttpError, type RequestHandler, sendJson, sendText } from '../http/http-util.js';
import type { StageStore } from '../store/stage-store.js';
import type { ParticipantTokens } from '../tokens/participant-tokens.js';
import { isLoopbackHost, isLoopbackUrl } from '../config.js';
import { stageEndpoints } from '../control-plane/stage-view.js';
import { PARTICIPANT_ID_PATTERN, expectStringRecord, parseJson } from '../../protocol/index.js';

export interface DevTokenDeps {
  store: StageStore;
  tokens: ParticipantTokens;
  publicOrigin: () => string;
}

const STAGE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function flag(params: URLSearchParams, name: string): boolean {
  const value = params.get(name);
  if (value === null || value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new HttpError(400, `${name} must be 1/0 or true/false`);
}

/** Headers a reverse proxy adds: behind one, every request looks as if it came from loopback. */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip', 'via'];

const LOOPBACK_HOST_HEADER = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d{1,5})?$/i;

/**
 * Who may mint: a loopback peer, not relayed by a proxy, that addressed us by
 * a loopback name (a rebound DNS name means a foreign page), from no page or a
 * page served from loopback. Returns the CORS headers the answer carries.
 */
function admit(req: IncomingMessage): Record<string, string> {
  const address = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  if (!isLoopbackHost(address)) throw new HttpError(403, 'demo tokens are only served to loopback clients');
  const forwarded = FORWARDING_HEADERS.find((name) => req.headers[name] !== undefined);
  if (forwarded) throw new HttpError(403, `demo tokens are not served through a proxy (${forwarded} header present)`);
  if (!LOOPBACK_HOST_HEADER.test(req.headers.host ?? '')) throw new HttpError(403, 'demo tokens are only served to a loopback Host');
  const origin = req.headers.origin;
  if (origin === undefined) return {};
  if (!isLoopbackUrl(origin)) throw new HttpError(403, `demo tokens are not served to pages from ${origin}`);
  return { 'access-control-allow-origin': origin, vary: 'origin' };
}

/**
 * Development only: `GET /dev/token?stage=<name>` mints a participant token for
 * a named stage (created on first use) so the demo and browser tests need no
 * backend; `participantId=<id>` mints another token for an existing participant
 * (what `exchangeToken` needs). Mounted only with STAGE_DEV_TOKENS (see
 * config.ts for when the server refuses it).
 */
export function createDevTokenHandler(deps: DevTokenDeps): RequestHandler {
  return async (req, res, url) => {
    if (url.pathname !== '/dev/token') return false;
    // Answered here, not by the server's generic error path: that one allows every origin.
    let cors: Record<string, string> = {};
    try {
      if (req.method !== 'GET') throw new HttpError(405, 'use GET');
      cors = admit(req);
      sendJson(res, 200, await mint(deps, url.searchParams), cors);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      sendText(res, error.status, error.message, cors);
    }
    return true;
  };
}

/** A token for the stage named in the query (created on first use), with the ids it names. */
async function mint(deps: DevTokenDeps, params: URLSearchParams) {
  const name = params.get('stage') ?? 'demo';
  if (!STAGE_NAME.test(name)) throw new HttpError(400, 'stage must be 1-64 characters of A-Z a-z 0-9 _ -');
  const userId = params.get('userId') ?? undefined;
  if (userId !== undefined && userId.length > 128) throw new HttpError(400, 'userId is longer than 128 characters');
  const participantId = params.get('participantId') ?? undefined;
  if (participantId !== undefined && !PARTICIPANT_ID_PATTERN.test(participantId)) {
    throw new HttpError(400, 'participantId must be 1-64 characters of A-Z a-z 0-9 _ -');
  }
  const attributesText = params.get('attributes');
  let attributes: Record<string, string> = {};
  try {
    attributes = attributesText ? expectStringRecord(parseJson(attributesText, 'attributes'), 'attributes') : {};
  } catch (error) {
    throw new HttpError(400, (error as Error).message);
  }
  const stage = deps.store.findByName(name) ?? (await deps.store.create({ name }));
  const endpoints = stageEndpoints(deps.publicOrigin());
  const { token, claims } = await deps.tokens.issue({
    stageArn: stage.arn,
    stageId: stage.id,
    participantId,
    userId,
    attributes,
    capabilities: { publish: flag(params, 'publish'), subscribe: flag(params, 'subscribe') },
    durationMinutes: 720,
    eventsUrl: endpoints.events,
    whipUrl: endpoints.whip,
  });
  return { token, participantId: claims.jti, stageArn: stage.arn };
}
