import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readBody } from '../http/http-util.js';

/**
 * WHIP/WHEP is called from pages on other origins (the SDK, demo pages on
 * another port). Authorization is a bearer token, never a cookie, so any
 * origin may call; browsers need Location exposed to find the session.
 */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'Location',
};

export function sendPreflight(res: ServerResponse, methods: readonly string[]): void {
  res.writeHead(204, {
    ...CORS_HEADERS,
    'access-control-allow-methods': [...methods, 'OPTIONS'].join(', '),
    'access-control-allow-headers': 'Authorization, Content-Type',
    'access-control-max-age': '600',
  });
  res.end();
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...CORS_HEADERS, ...headers });
  res.end();
}

/** Reads a body of the given media type as UTF-8: 415 for another type, 413 above `limit` bytes. */
export async function readTypedBody(req: IncomingMessage, mediaType: string, limit: number): Promise<string> {
  const type = req.headers['content-type']?.split(';')[0].trim().toLowerCase();
  if (type !== mediaType) throw new HttpError(415, `Content-Type must be ${mediaType}${type ? `, not ${type}` : ''}`);
  return (await readBody(req, limit)).toString('utf8');
}
