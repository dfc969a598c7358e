import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request handler that returns false when the request is not its own, so the next one can try. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Reads the whole body, refusing more than `limit` bytes (413) so a client cannot exhaust memory. */
export async function readBody(req: IncomingMessage, limit = 256 * 1024): Promise<Buffer> {
  // A declared length over the limit is refused before a byte of it is read.
  if (Number(req.headers['content-length']) > limit) throw new HttpError(413, `request body exceeds ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `request body exceeds ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** How long the rest of a refused upload may take to arrive (and be discarded) before the connection is closed. */
const UNREAD_BODY_GRACE_MS = 1000;

/**
 * A request answered before its body was read (refused: 401, 413, 429 …):
 * Node reads and discards the rest to keep the connection alive, which would
 * let a client hold it for as long as it keeps sending, or promising, a body.
 * A small remainder that arrives at once keeps the connection; otherwise it
 * is closed within the grace.
 */
export function closeWhenAnsweredEarly(req: IncomingMessage, res: ServerResponse): void {
  res.once('finish', () => {
    if (req.complete) return;
    const timer = setTimeout(() => req.socket.destroy(), UNREAD_BODY_GRACE_MS).unref();
    req.once('end', () => clearTimeout(timer));
    req.resume();
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The bearer token of an Authorization header, or undefined. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = header && /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1] : undefined;
}
