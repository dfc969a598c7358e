import type { JsonObject } from '../../protocol/index.js';
import type { StageRecord } from '../store/stage-store.js';
import { notFoundError } from './errors.js';
import { expectObjectAt, optionalArray, optionalString, requiredString } from './input.js';
import type { Operation, OperationContext } from './operation-context.js';
import { paginate } from './pagination.js';
import { type TokenRequest, issueParticipantToken, parseTokenRequest } from './participant-token-request.js';
import { stageEndpoints, toStage, toStageSummary } from './stage-view.js';
import { parseTags } from './tags.js';

const STAGE_ARN = { max: 128, pattern: /^arn:aws:ivs:[a-z0-9-]+:[0-9]+:stage\/[a-zA-Z0-9-]+$/ };
const STAGE_NAME = { max: 128, pattern: /^[a-zA-Z0-9-_]*$/ };
const MAX_TOKEN_CONFIGURATIONS = 12;

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
  const stage = ctx.stores.stages.create({ name, tags });
  const endpoints = stageEndpoints(ctx.publicOrigin());
  const participantTokens = await Promise.all(tokenRequests.map((r) => issueParticipantToken(ctx.tokens, stage, endpoints, r)));
  return { stage: toStage(stage, endpoints), participantTokens };
};

export const getStage: Operation = async (input, ctx) => {
  const stage = findStage(ctx, readStageArn(input, 'arn'));
  return { stage: toStage(stage, stageEndpoints(ctx.publicOrigin())) };
};

export const listStages: Operation = async (input, ctx) => {
  const { page, nextToken } = paginate(ctx.stores.stages.list(), input, { key: (s) => [s.createdAt, s.id] });
  return { stages: page.map(toStageSummary), ...(nextToken && { nextToken }) };
};

export const updateStage: Operation = async (input, ctx) => {
  const arn = readStageArn(input, 'arn');
  const name = optionalString(input, 'name', STAGE_NAME);
  const stage = name === undefined ? ctx.stores.stages.get(arn) : ctx.stores.stages.update(arn, { name });
  if (!stage) throw stageNotFound(arn);
  return { stage: toStage(stage, stageEndpoints(ctx.publicOrigin())) };
};

/** Deletes the stage; everyone on it leaves with `stage-deleted`. */
export const deleteStage: Operation = async (input, ctx) => {
  const stage = findStage(ctx, readStageArn(input, 'arn'));
  ctx.stores.stages.delete(stage.arn);
  ctx.live.endStage(stage.id, 'stage-deleted');
  return {};
};

export function findStage(ctx: OperationContext, arn: string): StageRecord {
  const stage = ctx.stores.stages.get(arn);
  if (!stage) throw stageNotFound(arn);
  return stage;
}

export function readStageArn(input: JsonObject, field: string): string {
  return requiredString(input, field, STAGE_ARN);
}

function stageNotFound(arn: string) {
  return notFoundError(`stage ${arn} does not exist`);
}
