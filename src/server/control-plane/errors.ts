import type { ServerResponse } from 'node:http';
import { sendJson } from '../http/http-util.js';

/** The IVS real-time error shapes and their HTTP statuses. */
const ERROR_STATUS = {
  ValidationException: 400,
  ServiceQuotaExceededException: 402,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  // Not in the IVS model: the AWS clients know it by name and retry it with backoff.
  ThrottlingException: 429,
  InternalServerException: 500,
} as const;

export type ApiErrorType = keyof typeof ERROR_STATUS;

/** An error the control plane reports to the caller as an AWS restJson1 error. */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(readonly type: ApiErrorType, message: string) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.type];
  }
}

export const validationError = (message: string) => new ApiError('ValidationException', message);
export const notFoundError = (message: string) => new ApiError('ResourceNotFoundException', message);

/**
 * AWS clients read the type from `x-amzn-errortype` (falling back to `__type`)
 * and `message` into `err.message`; IVS itself names the field
 * `exceptionMessage`, which its client exposes as `err.exceptionMessage`.
 */
export function sendApiError(res: ServerResponse, error: ApiError): void {
  sendJson(
    res,
    error.status,
    { __type: error.type, message: error.message, exceptionMessage: error.message },
    { 'x-amzn-errortype': error.type },
  );
}
