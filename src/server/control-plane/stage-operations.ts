import type { JsonObject } from '../../protocol/index.js';
import { type StageRecord, compareStages } from '../store/stage-store.js';
import { notFoundError, validationError } from './errors.js';
import { expectObjectAt, optionalArray, optionalInteger, optionalString, optionalStringMap, requiredString } from './input.js';
import type { Operation, OperationContext } from './operation-context.js';
import { type TokenRequest, issueParticipantToken, parseTokenRequest } from './participant-token-request.js';
import { stageEndpoints, toStage, toStageSummary } from './stage-view.js';

const STAGE_ARN = { max: 128, pattern: /^arn:aws:ivs:[a-z0-9-]+:[0-9]+:stage\/[a-zA-Z0-9-]+$/ };
const STAGE_NAME = { max: 128, pattern: /^[a-zA-Z0-9-_]*$/ };
const MAX_TOKEN_CONFIGURATIONS = 12;
const MAX_TAGS = 50;
const MAX_TAG_KEY_LENGTH = 128;
const MAX_TAG_VALUE_LENGTH = 256;
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;
const MAX_NEXT_TOKEN_LENGTH = 1024;

export const createStage: Operation = async (input, ctx) => {
  const name = optionalString(input, 'name', STAGE_NAME);
  const tags = parseTags(input);
  // Validate every configuration before creating anything, so a bad request leaves no stage behind.
  const tokenRequests = (optionalArray(input, 'participantTokenConfigurations', MAX_TOKEN_CONFIGURATIONS) ?? []).map(
    (value, i): TokenRequest => {
      const path = `participantTokenConfigurations[${i}]`;
      return parseTokenRequest(expectObjectAt(value, path), `${path}.`);
    },
  );
  const stage = await ctx.store.create({ name, tags });
  const endpoints = stageEndpoints(ctx.publicOrigin());
  const participantTokens = await Promise.all(tokenRequests.map((r) => issueParticipantToken(ctx.tokens, stage, endpoints, r)));
  return { stage: toStage(stage, endpoints), participantTokens };
};

export const getStage: Operation = async (input, ctx) => {
  const stage = findStage(ctx, requiredString(input, 'arn', STAGE_ARN));
  return { stage: toStage(stage, stageEndpoints(ctx.publicOrigin())) };
};

export const listStages: Operation = async (input, ctx) => {
  const pageSize = optionalInteger(input, 'maxResults', 1, MAX_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE;
  const nextToken = optionalString(input, 'nextToken', { max: MAX_NEXT_TOKEN_LENGTH });
  const after = nextToken ? decodePageToken(nextToken) : undefined;
  const remaining = ctx.store.list().filter((s) => !after || compareStages(s, after) > 0);
  const page = remaining.slice(0, pageSize);
  const more = remaining.length > page.length;
  return { stages: page.map(toStageSummary), ...(more && { nextToken: encodePageToken(page[page.length - 1]) }) };
};

export const updateStage: Operation = async (input, ctx) => {
  const arn = requiredString(input, 'arn', STAGE_ARN);
  const name = optionalString(input, 'name', STAGE_NAME);
  const stage = name === undefined ? ctx.store.get(arn) : await ctx.store.update(arn, { name });
  if (!stage) throw stageNotFound(arn);
  return { stage: toStage(stage, stageEndpoints(ctx.publicOrigin())) };
};

export const deleteStage: Operation = async (input, ctx) => {
  const stage = findStage(ctx, requiredString(input, 'arn', STAGE_ARN));
  await ctx.store.delete(stage.arn);
  ctx.live.endStage(stage.id, 'stage-deleted');
  return {};
};

export function findStage(ctx: OperationContext, arn: string): StageRecord {
  const stage = ctx.store.get(arn);
  if (!stage) throw stageNotFound(arn);
  return stage;
}

export function readStageArn(input: JsonObject, field: string): string {
  return requiredString(input, field, STAGE_ARN);
}

function stageNotFound(arn: string) {
  return notFoundError(`stage ${arn} does not exist`);
}

function parseTags(input: JsonObject): Record<string, string> | undefined {
  const tags = optionalStringMap(input, 'tags');
  if (!tags) return undefined;
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) throw validationError(`tags must have at most ${MAX_TAGS} entries`);
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > MAX_TAG_KEY_LENGTH) throw validationError(`tags keys must be 1 to ${MAX_TAG_KEY_LENGTH} characters`);
    if (key.toLowerCase().startsWith('aws:')) throw validationError('tags keys must not start with the reserved prefix "aws:"');
    if (value.length > MAX_TAG_VALUE_LENGTH) throw validationError(`tags.${key} must be at most ${MAX_TAG_VALUE_LENGTH} characters`);
  }
  return tags;
}

/** The page token names the last stage returned; the next page starts after it, even if it was deleted meanwhile. */
function encodePageToken(last: StageRecord): string {
  return Buffer.from(JSON.stringify([last.createdAt, last.id])).toString('base64url');
}

function decodePageToken(token: string): Pick<StageRecord, 'createdAt' | 'id'> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw validationError('nextToken is not a token returned by ListStages');
  }
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'string' || typeof value[1] !== 'string') {
    throw validationError('nextToken is not a token returned by ListStages');
  }
  return { createdAt: value[0], id: value[1] };
}
