export enum StageErrorCategory {
  JOIN_ERROR = 'JOIN_ERROR',
  PUBLISH_ERROR = 'PUBLISH_ERROR',
  SUBSCRIBE_ERROR = 'SUBSCRIBE_ERROR',
}

export enum StageErrorCode {
  TOKEN_MALFORMED = 1,
  TOKEN_EXPIRED = 2,
  TIMEOUT = 3,
  FAILED = 4,
  CANCELED = 5,
  STAGE_AT_CAPACITY = 6,
  CODEC_MISMATCH = 7,
  TOKEN_NOT_ALLOWED = 8,
  STAGE_DELETED = 9,
  PARTICIPANT_DISCONNECTED = 10,
  TOKEN_EXCHANGE_REQUEST_INVALID = 11,
  TOKEN_EXCHANGE_FAILED = 12,
}

/** The error every rejected promise and ERROR event of the SDK carries. */
export class StageError extends Error {
  override name = 'StageError';
  constructor(
    readonly code: StageErrorCode,
    readonly category: StageErrorCategory,
    message: string,
    readonly details?: { participantId?: string; cause?: unknown },
  ) {
    super(message);
  }
}
