import type { ServerConfig } from '../config.js';
import { HttpError, type RequestHandler, readBody, sendJson } from '../http/http-util.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import { ApiError, sendApiError, validationError } from './errors.js';
import { parseRequestBody } from './input.js';
import type { OperationContext } from './operation-context.js';
import { matchOperation } from './operations.js';
import { SignatureError, createSigV4Verifier } from './sigv4-auth.js';

/** Enough for 12 token configurations with 1 KB of attributes each, and then some. */
const MAX_REQUEST_BYTES = 64 * 1024;

export interface ControlPlaneDeps extends OperationContext {
  config: ServerConfig;
}

/**
 * The IVS real-time control plane over restJson1: `POST /<OperationName>` and
 * `/tags/<arn>`, signed with SigV4. Any other request is left to the next handler.
 */
export function createControlPlane(deps: ControlPlaneDeps): RequestHandler {
  const verifySignature = createSigV4Verifier({ region: deps.config.region, credentials: deps.config.credentials });
  const limiter = new RateLimiter(deps.config.rateLimits.controlPlane);
  const ctx: OperationContext = deps;

  return async (req, res, url) => {
    const matched = matchOperation(req.method, url);
    if (!matched) return false;
    if (!limiter.take(req)) {
      sendApiError(res, new ApiError('ThrottlingException', 'rate exceeded: too many requests from this address'));
      return true;
    }
    try {
      const body = await readBody(req, MAX_REQUEST_BYTES);
      await verifySignature(req, body);
      sendJson(res, 200, await matched.operation({ ...parseRequestBody(body), ...matched.params }, ctx));
    } catch (error) {
      sendApiError(res, toApiError(error));
    }
    return true;
  };
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof SignatureError) return new ApiError('AccessDeniedException', error.message);
  // A body over the limit (413), cut short or malformed (400).
  if (error instanceof HttpError) return validationError(error.message);
  console.error('control plane: unexpected error', error);
  return new ApiError('InternalServerException', 'internal server error');
}
