import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { SeenSignatures } from './seen-signatures.js';

export const SIGNING_SERVICE = 'ivs';
const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const AUTHORIZATION_PATTERN = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]{64})$/;
const HEADER_NAME_PATTERN = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const AMZ_DATE_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** The request is not signed by a known key, or not signed correctly; callers answer 403. */
export class SignatureError extends Error {
  override name = 'SignatureError';
}

export interface SigV4VerifierOptions {
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export type SigV4Verifier = (req: IncomingMessage, body: Buffer) => Promise<void>;

/**
 * Verifies AWS Signature V4 by signing the received request again with the
 * secret of the access key it names, over exactly the headers it lists as
 * signed, and comparing the results in constant time. A signature is accepted
 * once: over plain HTTP anyone who sees a request could otherwise send it
 * again while its date is within the skew. The AWS SDKs sign a fresh
 * invocation id and attempt number into every request, retries included.
 */
export function createSigV4Verifier(options: SigV4VerifierOptions): SigV4Verifier {
  const secrets = new Map([[options.credentials.accessKeyId, options.credentials.secretAccessKey]]);
  const seen = new SeenSignatures(MAX_CLOCK_SKEW_MS);

  return async (req, body) => {
    const auth = parseAuthorization(req.headers.authorization);
    const secretAccessKey = secrets.get(auth.accessKeyId);
    if (secretAccessKey === undefined) throw new SignatureError('the access key id is not known to this server');
    if (auth.region !== options.region) throw new SignatureError(`the credential scope must name region ${options.region}`);

    const amzDate = singleHeader(req, 'x-amz-date');
    if (amzDate === undefined) throw new SignatureError('the x-amz-date header is required');
    const signingDate = parseAmzDate(amzDate);
    if (Math.abs(Date.now() - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) {
      throw new SignatureError('x-amz-date is more than 15 minutes away from the server time');
    }
    if (auth.date !== amzDate.slice(0, 8)) throw new SignatureError('the credential scope date does not match x-amz-date');

    const bodyHash = createHash('sha256').update(body).digest('hex');
    const headers = signedHeaderValues(req, auth.signedHeaders);
    if ('x-amz-content-sha256' in headers && headers['x-amz-content-sha256'] !== bodyHash) {
      throw new SignatureError('x-amz-content-sha256 does not match the request body');
    }

    const [rawPath, rawQuery = ''] = (req.url ?? '/').split('?', 2);
    const signer = new SignatureV4({
      service: SIGNING_SERVICE,
      region: options.region,
      credentials: { accessKeyId: auth.accessKeyId, secretAccessKey },
      sha256: Hash.bind(null, 'sha256'),
      // Sign what the client sent, never add an x-amz-content-sha256 header of our own.
      applyChecksum: false,
    });
    const signed = await signer.sign(
      new HttpRequest({ method: req.method, path: rawPath, query: parseQuery(rawQuery), headers, body }),
      { signingDate, signableHeaders: new Set(auth.signedHeaders) },
    );
    if (!constantTimeEqual(String(signed.headers.authorization), auth.normalized)) {
      throw new SignatureError('the request signature does not match');
    }
    if (!seen.firstTime(auth.signature, signingDate.getTime())) throw new SignatureError('this signed request was already received');
  };
}

interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  signedHeaders: string[];
  signature: string;
  /** The header in the exact layout the signer produces, so the two compare byte for byte. */
  normalized: string;
}

function parseAuthorization(header: string | undefined): ParsedAuthorization {
  if (!header) throw new SignatureError('the Authorization header is missing');
  const match = AUTHORIZATION_PATTERN.exec(header.trim());
  if (!match) throw new SignatureError(`the Authorization header is not an ${ALGORITHM} signature`);
  const [, credential, signedHeaderList, signature] = match;
  const [accessKeyId, date, region, service, terminator, ...rest] = credential.split('/');
  if (rest.length > 0 || !accessKeyId || !/^\d{8}$/.test(date ?? '') || !region || terminator !== 'aws4_request') {
    throw new SignatureError('the Authorization credential is malformed');
  }
  if (service !== SIGNING_SERVICE) throw new SignatureError(`the credential scope must name service ${SIGNING_SERVICE}`);
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.every((name) => HEADER_NAME_PATTERN.test(name))) throw new SignatureError('SignedHeaders is malformed');
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date')) {
    throw new SignatureError('SignedHeaders must include host and x-amz-date');
  }
  return {
    accessKeyId,
    date,
    region,
    signedHeaders,
    signature,
    normalized: `${ALGORITHM} Credential=${credential}, SignedHeaders=${signedHeaderList}, Signature=${signature}`,
  };
}

/** Repeated headers are joined with commas, as the canonical request requires. */
function signedHeaderValues(req: IncomingMessage, names: string[]): Record<string, string> {
  const headers: Record<string, string> = Object.create(null);
  for (const name of names) {
    const values = req.headersDistinct[name];
    if (!values) throw new SignatureError(`signed header ${name} is missing from the request`);
    headers[name] = values.join(',');
  }
  return headers;
}

function singleHeader(req: IncomingMessage, name: string): string | undefined {
  const values = req.headersDistinct[name];
  return values?.length === 1 ? values[0] : undefined;
}

function parseAmzDate(text: string): Date {
  const match = AMZ_DATE_PATTERN.exec(text);
  if (!match) throw new SignatureError('x-amz-date must look like 20240131T235959Z');
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (date.toISOString().replace(/[-:]|\.\d{3}/g, '') !== text) throw new SignatureError('x-amz-date is not a real date');
  return date;
}

/** Decoded query parameters; the signer re-encodes them canonically. */
function parseQuery(raw: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null);
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const [key, value] = eq === -1 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    let decodedKey: string;
    let decodedValue: string;
    try {
      decodedKey = decodeURIComponent(key);
      decodedValue = decodeURIComponent(value);
    } catch {
      throw new SignatureError('the query string is not validly percent-encoded');
    }
    const existing = query[decodedKey];
    if (existing === undefined) query[decodedKey] = decodedValue;
    else query[decodedKey] = Array.isArray(existing) ? [...existing, decodedValue] : [existing, decodedValue];
  }
  return query;
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
