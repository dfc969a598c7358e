import type { JsonObject } from '../../protocol/index.js';
import type { Operation } from './operation-context.js';
import { disconnectParticipant, getParticipant, listParticipants } from './participant-operations.js';
import { issueParticipantToken, parseTokenRequest } from './participant-token-request.js';
import { deletePublicKey, getPublicKey, importPublicKey, listPublicKeys } from './public-key-operations.js';
import { getStageSession, listStageSessions } from './session-operations.js';
import { createStage, deleteStage, findStage, getStage, listStages, readStageArn, updateStage } from './stage-operations.js';
import { stageEndpoints } from './stage-view.js';
import { listTagsForResource, tagResource, untagResource } from './tag-operations.js';

const createParticipantToken: Operation = async (input, ctx) => {
  const stageArn = readStageArn(input, 'stageArn');
  const request = parseTokenRequest(input);
  const stage = findStage(ctx, stageArn);
  return { participantToken: await issueParticipantToken(ctx.tokens, stage, stageEndpoints(ctx.publicOrigin()), request) };
};

/** The operations served as `POST /<name>`. */
const POST_OPERATIONS: ReadonlyMap<string, Operation> = new Map([
  ['CreateStage', createStage],
  ['GetStage', getStage],
  ['ListStages', listStages],
  ['UpdateStage', updateStage],
  ['DeleteStage', deleteStage],
  ['CreateParticipantToken', createParticipantToken],
  ['DisconnectParticipant', disconnectParticipant],
  ['ListParticipants', listParticipants],
  ['GetParticipant', getParticipant],
  ['ListStageSessions', listStageSessions],
  ['GetStageSession', getStageSession],
  ['ImportPublicKey', importPublicKey],
  ['GetPublicKey', getPublicKey],
  ['ListPublicKeys', listPublicKeys],
  ['DeletePublicKey', deletePublicKey],
]);

/** The tag operations, by method on `/tags/<resourceArn>`. */
const TAG_OPERATIONS: Readonly<Record<string, Operation>> = { GET: listTagsForResource, POST: tagResource, DELETE: untagResource };

export interface MatchedOperation {
  operation: Operation;
  /** Input taken from the path and query, merged over the body. */
  params: JsonObject;
}

/** The operation a request names, or undefined when it is not a control-plane request. */
export function matchOperation(method: string | undefined, url: URL): MatchedOperation | undefined {
  const parts = url.pathname.split('/');
  if (parts.length === 2 && method === 'POST') {
    const operation = POST_OPERATIONS.get(parts[1]);
    return operation && { operation, params: {} };
  }
  if (parts.length === 3 && parts[1] === 'tags' && method && Object.hasOwn(TAG_OPERATIONS, method)) {
    let resourceArn: string;
    try {
      resourceArn = decodeURIComponent(parts[2]);
    } catch {
      return undefined;
    }
    const tagKeys = url.searchParams.getAll('tagKeys');
    return { operation: TAG_OPERATIONS[method], params: { resourceArn, ...(tagKeys.length > 0 && { tagKeys }) } };
  }
  return undefined;
}
