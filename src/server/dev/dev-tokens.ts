import type { IncomingMessage } from 'node:http';
import { HttpError, type RequestHandler, sendJson } from '../http/http-util.js';
import type { StageStore } from '../store/stage-store.js';
import type { ParticipantTokens } from '../tokens/participant-tokens.js';
import { isLoopbackHost } from '../config.js';
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

function fromLoopback(req: IncomingMessage): boolean {
  const address = req.socket.remoteAddress ?? '';
  return isLoopbackHost(address.replace(/^::ffff:/, ''));
}

/**
 * Development only: `GET /dev/token?stage=<name>` mints a participant token for
 * a named stage (created on first use) so the demo and browser tests need no
 * backend; `participantId=<id>` mints another token for an existing participant
 * (what `exchangeToken` needs). The server mounts this only in development mode
 * on loopback.
 */
export function createDevTokenHandler(deps: DevTokenDeps): RequestHandler {
  return async (req, res, url) => {
    if (url.pathname !== '/dev/token') return false;
    const cors = { 'access-control-allow-origin': '*' };
    if (req.method !== 'GET') throw new HttpError(405, 'use GET');
    if (!fromLoopback(req)) throw new HttpError(403, 'demo tokens are only served to loopback clients');
    const params = url.searchParams;
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
    sendJson(res, 200, { token, participantId: claims.jti, stageArn: stage.arn }, cors);
    return true;
  };
}
