import type { Operation } from './operation-context.js';
import { issueParticipantToken, parseTokenRequest } from './participant-token-request.js';
import { createStage, deleteStage, findStage, getStage, listStages, readStageArn, updateStage } from './stage-operations.js';
import { stageEndpoints } from './stage-view.js';

const createParticipantToken: Operation = async (input, ctx) => {
  const stageArn = readStageArn(input, 'stageArn');
  const request = parseTokenRequest(input);
  const stage = findStage(ctx, stageArn);
  return { participantToken: await issueParticipantToken(ctx.tokens, stage, stageEndpoints(ctx.publicOrigin()), request) };
};

/** The operations served, by the name in their path (`POST /<name>`). */
export const OPERATIONS: ReadonlyMap<string, Operation> = new Map([
  ['CreateStage', createStage],
  ['GetStage', getStage],
  ['ListStages', listStages],
  ['UpdateStage', updateStage],
  ['DeleteStage', deleteStage],
  ['CreateParticipantToken', createParticipantToken],
]);
