import type { JsonObject } from '../../protocol/index.js';
import type { StageRecord } from '../store/stage-store.js';
import type { ParticipantTokens } from '../tokens/participant-tokens.js';
import { MAX_ATTRIBUTES_BYTES, MAX_TOKEN_MINUTES, MAX_USER_ID_LENGTH } from '../tokens/token-limits.js';
import { validationError } from './errors.js';
import { optionalArray, optionalInteger, optionalString, optionalStringMap } from './input.js';
import type { StageEndpoints } from './stage-view.js';

export const MIN_TOKEN_MINUTES = 1;
export const DEFAULT_TOKEN_MINUTES = 12 * 60;
const CAPABILITIES = ['PUBLISH', 'SUBSCRIBE'] as const;
type Capability = (typeof CAPABILITIES)[number];

/** What CreateParticipantToken and each of CreateStage's participantTokenConfigurations ask for. */
export interface TokenRequest {
  duration: number;
  userId?: string;
  attributes: Record<string, string>;
  capabilities: Capability[];
}

/** Reads duration, userId, attributes and capabilities; `path` prefixes field names in errors. */
export function parseTokenRequest(o: JsonObject, path = ''): TokenRequest {
  const duration = optionalInteger(o, 'duration', MIN_TOKEN_MINUTES, MAX_TOKEN_MINUTES, `${path}duration`) ?? DEFAULT_TOKEN_MINUTES;
  const userId = optionalString(o, 'userId', { max: MAX_USER_ID_LENGTH }, `${path}userId`);
  const attributes = optionalStringMap(o, 'attributes', `${path}attributes`) ?? {};
  if (Buffer.byteLength(JSON.stringify(attributes)) > MAX_ATTRIBUTES_BYTES) {
    throw validationError(`${path}attributes must be at most ${MAX_ATTRIBUTES_BYTES} bytes in total`);
  }
  return { duration, userId, attributes, capabilities: parseCapabilities(o, `${path}capabilities`) };
}

function parseCapabilities(o: JsonObject, path: string): Capability[] {
  const values = optionalArray(o, 'capabilities', CAPABILITIES.length, path);
  if (values === undefined) return [...CAPABILITIES];
  for (const value of values) {
    if (!CAPABILITIES.includes(value as Capability)) throw validationError(`${path} items must be one of ${CAPABILITIES.join(', ')}`);
  }
  return CAPABILITIES.filter((c) => values.includes(c));
}

/** Issues a token for `stage` and returns it in the API's `ParticipantToken` shape. */
export async function issueParticipantToken(tokens: ParticipantTokens, stage: StageRecord, endpoints: StageEndpoints, request: TokenRequest) {
  const { token, claims } = await tokens.issue({
    stageArn: stage.arn,
    stageId: stage.id,
    userId: request.userId,
    attributes: request.attributes,
    capabilities: { publish: request.capabilities.includes('PUBLISH'), subscribe: request.capabilities.includes('SUBSCRIBE') },
    durationMinutes: request.duration,
    eventsUrl: endpoints.events,
    whipUrl: endpoints.whip,
  });
  return {
    token,
    participantId: claims.jti,
    ...(request.userId !== undefined && { userId: request.userId }),
    attributes: request.attributes,
    duration: request.duration,
    capabilities: request.capabilities,
    expirationTime: new Date(claims.exp * 1000).toISOString(),
  };
}
