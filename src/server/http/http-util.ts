import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request handler that returns false when the request is not its own, so the next one can try. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * Reads the whole body, refusing more than `limit` bytes (413) so a client
 * cannot exhaust memory, and a body cut short or malformed (400). Reading
 * stops at the limit without destroying the request (as leaving a `for await`
 * would, socket and all), so the refusal still reaches the client.
 */
export function readBody(req: IncomingMessage, limit = 256 * 1024): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, `request body exceeds ${limit} bytes`);
  // A declared length over the limit is refused before a byte of it is read.
  if (Number(req.headers['content-length']) > limit) return Promise.reject(tooLarge());
  const cutShort = () => new HttpError(400, 'the request body ended before it was complete');
  // Gone while the handler was busy with something else (its 'close' is past).
  if (req.destroyed) return Promise.reject(cutShort());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (error?: HttpError) => {
      req.off('data', onData).off('end', onEnd).off('error', onCutShort).off('close', onCutShort);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.pause();
      settle(tooLarge());
    };
    const onEnd = () => settle();
    const onCutShort = () => settle(cutShort());
    req.on('data', onData).once('end', onEnd).once('error', onCutShort).once('close', onCutShort);
  });
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
  // Taken now: by the time the response has finished, `req.socket` may already be null.
  const { socket } = req;
  res.once('finish', () => {
    if (req.complete) return;
    const timer = setTimeout(() => socket.destroy(), UNREAD_BODY_GRACE_MS).unref();
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

/**
 * The request target as a URL, or undefined when it is none (answered 400).
 * An origin-form target is a path even when it starts with `//`, which
 * resolving it against a base would read as a host.
 */
export function requestUrl(req: IncomingMessage): URL | undefined {
  const target = req.url ?? '/';
  try {
    const url = target.startsWith('/') ? new URL(`http://localhost${target}`) : new URL(target);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The bearer token of an Authorization header, or undefined. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = header && /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1] : undefined;
}
