import type { ServerMessage } from '../../protocol/index.js';
import { StageError, StageErrorCategory, StageErrorCode } from '../errors.js';
import { EventsSocket, type EventsSocketHandlers, EventsTimeoutError } from './events-socket.js';

type Joined = Extract<ServerMessage, { type: 'joined' }>;

const SERVER_ERRORS: Record<string, StageErrorCode> = {
  'token-invalid': StageErrorCode.TOKEN_MALFORMED,
  'token-expired': StageErrorCode.TOKEN_EXPIRED,
  'stage-not-found': StageErrorCode.STAGE_DELETED,
  'stage-at-capacity': StageErrorCode.STAGE_AT_CAPACITY,
  'participant-disconnected': StageErrorCode.PARTICIPANT_DISCONNECTED,
};

/**
 * Opens the events channel and joins with `token`. Resolves with the open
 * socket and the server's `joined` answer; rejects with a StageError whose code
 * says why (CANCELED when `canceled()` turned true meanwhile).
 */
export async function joinEvents(
  url: string,
  token: string,
  handlers: EventsSocketHandlers,
  canceled: () => boolean,
  onSocket: (socket: EventsSocket | undefined) => void,
  timeoutMs?: number,
): Promise<{ socket: EventsSocket; joined: Joined }> {
  const socket = new EventsSocket(url, handlers);
  onSocket(socket);
  let first: ServerMessage;
  try {
    first = await socket.open(token, timeoutMs);
  } catch (cause) {
    socket.close();
    if (canceled()) throw canceledError();
    const code = cause instanceof EventsTimeoutError ? StageErrorCode.TIMEOUT : StageErrorCode.FAILED;
    throw new StageError(code, StageErrorCategory.JOIN_ERROR, `could not reach the stage: ${(cause as Error).message}`, { cause });
  } finally {
    onSocket(undefined);
  }
  if (canceled()) {
    socket.close();
    throw canceledError();
  }
  if (first.type !== 'joined') {
    socket.close();
    if (first.type === 'error') throw serverError(first);
    throw new StageError(StageErrorCode.FAILED, StageErrorCategory.JOIN_ERROR, `unexpected ${first.type}`);
  }
  return { socket, joined: first };
}

/** The StageError for an error the server reports on the events channel. */
export function serverError(message: Extract<ServerMessage, { type: 'error' }>): StageError {
  return new StageError(SERVER_ERRORS[message.code] ?? StageErrorCode.FAILED, StageErrorCategory.JOIN_ERROR, message.message);
}

export function canceledError(): StageError {
  return new StageError(StageErrorCode.CANCELED, StageErrorCategory.JOIN_ERROR, 'join was canceled by leave()');
}
