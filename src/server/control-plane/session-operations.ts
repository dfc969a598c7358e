import type { JsonObject } from '../../protocol/index.js';
import type { StageSessionRecord } from '../store/session-store.js';
import { notFoundError } from './errors.js';
import { requiredString } from './input.js';
import type { Operation, OperationContext } from './operation-context.js';
import { paginate } from './pagination.js';
import { findStage, readStageArn } from './stage-operations.js';

const SESSION_ID = { max: 16, pattern: /^st-[a-zA-Z0-9]+$/ };

export const listStageSessions: Operation = async (input, ctx) => {
  const stage = findStage(ctx, readStageArn(input, 'stageArn'));
  const { page, nextToken } = paginate(ctx.stores.sessions.sessions(stage.arn), input, {
    key: (s) => [s.startTime, s.sessionId],
    descending: true,
  });
  return { stageSessions: page.map(toStageSession), ...(nextToken && { nextToken }) };
};

export const getStageSession: Operation = async (input, ctx) => {
  return { stageSession: toStageSession(findSession(ctx, input)) };
};

/** The session named by `stageArn` and `sessionId` in a request. */
export function findSession(ctx: OperationContext, input: JsonObject): StageSessionRecord {
  const stage = findStage(ctx, readStageArn(input, 'stageArn'));
  const sessionId = requiredString(input, 'sessionId', SESSION_ID);
  const session = ctx.stores.sessions.session(stage.arn, sessionId);
  if (!session) throw notFoundError(`stage ${stage.arn} has no session ${sessionId}`);
  return session;
}

function toStageSession(s: StageSessionRecord) {
  return { sessionId: s.sessionId, startTime: s.startTime, ...(s.endTime !== undefined && { endTime: s.endTime }) };
}
