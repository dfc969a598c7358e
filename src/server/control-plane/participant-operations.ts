import { PARTICIPANT_ID_PATTERN } from '../../protocol/index.js';
import type { ParticipantRecord } from '../store/session-store.js';
import { notFoundError, validationError } from './errors.js';
import { optionalBoolean, optionalEnum, optionalString, requiredString } from './input.js';
import type { Operation } from './operation-context.js';
import { paginate } from './pagination.js';
import { revocationEnd } from '../tokens/token-limits.js';
import { findSession } from './session-operations.js';
import { findStage, readStageArn } from './stage-operations.js';

const PARTICIPANT_ID = { max: 64, pattern: PARTICIPANT_ID_PATTERN };
const STATES = ['CONNECTED', 'DISCONNECTED'] as const;
const RECORDING_STATES = ['STARTING', 'ACTIVE', 'STOPPING', 'STOPPED', 'FAILED', 'DISABLED'] as const;
/** This server does not record participants. */
const RECORDING_STATE = 'DISABLED';

/**
 * Ends the participant's connection with `participant-disconnected` and
 * revokes it first, so neither that token nor another for the same
 * participant can join again, whether or not it is connected now.
 */
export const disconnectParticipant: Operation = async (input, ctx) => {
  const stage = findStage(ctx, readStageArn(input, 'stageArn'));
  const participantId = requiredString(input, 'participantId', PARTICIPANT_ID);
  optionalString(input, 'reason', { max: 128 });
  // No token for this participant outlives the longest token lifetime from now.
  ctx.stores.revocations.revoke(stage.arn, participantId, revocationEnd(Math.floor(Date.now() / 1000)));
  ctx.live.disconnect(stage.id, participantId, 'participant-disconnected');
  ctx.media.closeParticipant(stage.id, participantId);
  return {};
};

export const listParticipants: Operation = async (input, ctx) => {
  const filters = {
    userId: optionalString(input, 'filterByUserId', { max: 128 }),
    published: optionalBoolean(input, 'filterByPublished'),
    state: optionalEnum(input, 'filterByState', STATES),
    recordingState: optionalEnum(input, 'filterByRecordingState', RECORDING_STATES),
  };
  if (Object.values(filters).filter((f) => f !== undefined).length > 1) {
    throw validationError('use at most one of filterByUserId, filterByPublished, filterByState and filterByRecordingState');
  }
  const session = findSession(ctx, input);
  const matching = ctx.stores.sessions.participants(session.sessionId).filter(
    (p) =>
      (filters.userId === undefined || p.userId === filters.userId) &&
      (filters.published === undefined || p.published === filters.published) &&
      (filters.state === undefined || p.state === filters.state) &&
      (filters.recordingState === undefined || filters.recordingState === RECORDING_STATE),
  );
  const { page, nextToken } = paginate(matching, input, { key: (p) => [p.firstJoinTime, p.participantId] });
  return { participants: page.map(toParticipantSummary), ...(nextToken && { nextToken }) };
};

export const getParticipant: Operation = async (input, ctx) => {
  const session = findSession(ctx, input);
  const participantId = requiredString(input, 'participantId', PARTICIPANT_ID);
  const participant = ctx.stores.sessions.participant(session.sessionId, participantId);
  if (!participant) throw notFoundError(`participant ${participantId} was not in session ${session.sessionId}`);
  return { participant: { ...toParticipantSummary(participant), attributes: participant.attributes } };
};

function toParticipantSummary(p: ParticipantRecord) {
  return {
    participantId: p.participantId,
    ...(p.userId !== undefined && { userId: p.userId }),
    state: p.state,
    firstJoinTime: p.firstJoinTime,
    published: p.published,
    recordingState: RECORDING_STATE,
  };
}
