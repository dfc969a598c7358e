import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RequestHandler } from '../http/http-util.js';
import { sendText } from '../http/http-util.js';
import { CORS_HEADERS } from '../media/media-http.js';
import type { RateLimiter } from './rate-limiter.js';

const CONNECTION_ATTEMPT = /^\/(whip|whep)(\/|$)/;

/**
 * Limits connection attempts per client address: WHIP and WHEP offers (429
 * with Retry-After) and events WebSocket upgrades (refused before the handshake).
 */
export function createConnectionThrottle(limiter: RateLimiter) {
  const handler: RequestHandler = async (req, res, url) => {
    if (req.method !== 'POST' || !CONNECTION_ATTEMPT.test(url.pathname) || limiter.take(req)) return false;
    sendText(res, 429, 'too many connection attempts; try again shortly', { ...CORS_HEADERS, 'retry-after': String(limiter.retryAfterSeconds) });
    return true;
  };

  /** False (after answering 429 on the socket) when the upgrade must not go on. */
  const allowUpgrade = (req: IncomingMessage, socket: Duplex): boolean => {
    if (limiter.take(req)) return true;
    socket.end(`HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${limiter.retryAfterSeconds}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    return false;
  };

  return { handler, allowUpgrade };
}
