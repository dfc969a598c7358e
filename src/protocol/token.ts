import { WireFormatError, expectBoolean, expectNumber, expectObject, expectString, expectStringRecord, optionalString, parseJson } from './validate.js';

/** Claims of a participant token (a JWT signed with ES384). */
export interface ParticipantTokenClaims {
  /** Participant id. */
  jti: string;
  /** Stage ARN. */
  resource: string;
  /** Stage id (last part of the ARN). */
  topic: string;
  /** WebSocket URL of the events channel. */
  events_url: string;
  /** WHIP endpoint; the WHEP endpoint is derived from it (see `whepUrlFor`). */
  whip_url: string;
  capabilities: { allow_publish: boolean; allow_subscribe: boolean };
  version: '1.0';
  user_id?: string;
  attributes: Record<string, string>;
  /** Seconds since the epoch. */
  exp: number;
  iat: number;
}

export const PARTICIPANT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Validates an already-decoded claims object. */
export function parseTokenClaims(value: unknown): ParticipantTokenClaims {
  const o = expectObject(value, 'token');
  const jti = expectString(o, 'jti', 'token');
  if (!PARTICIPANT_ID_PATTERN.test(jti)) throw new WireFormatError('token.jti is not a valid participant id');
  const caps = expectObject(o.capabilities, 'token.capabilities');
  if (o.version !== '1.0') throw new WireFormatError('token.version must be "1.0"');
  return {
    jti,
    resource: expectString(o, 'resource', 'token'),
    topic: expectString(o, 'topic', 'token'),
    events_url: expectString(o, 'events_url', 'token'),
    whip_url: expectString(o, 'whip_url', 'token'),
    capabilities: {
      allow_publish: expectBoolean(caps, 'allow_publish', 'token.capabilities'),
      allow_subscribe: expectBoolean(caps, 'allow_subscribe', 'token.capabilities'),
    },
    version: '1.0',
    user_id: optionalString(o, 'user_id', 'token'),
    attributes: expectStringRecord(o.attributes, 'token.attributes'),
    exp: expectNumber(o, 'exp', 'token'),
    iat: expectNumber(o, 'iat', 'token'),
  };
}

function base64UrlToText(part: string): string {
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/**
 * Reads a token's claims without verifying its signature: clients use this to
 * find the server; the server verifies with `jose` instead.
 */
export function decodeParticipantToken(token: unknown): ParticipantTokenClaims {
  if (typeof token !== 'string') throw new WireFormatError('token must be a string');
  const parts = token.split('.');
  if (parts.length !== 3) throw new WireFormatError('token is not a JWT (expected three dot-separated parts)');
  let payload: string;
  try {
    payload = base64UrlToText(parts[1]);
  } catch {
    throw new WireFormatError('token payload is not base64url');
  }
  return parseTokenClaims(parseJson(payload, 'token payload'));
}

/** WHEP (subscribe) endpoint for one publishing participant, next to the WHIP endpoint. */
export function whepUrlFor(whipUrl: string, participantId: string): string {
  const url = new URL(whipUrl);
  url.pathname = url.pathname.replace(/\/whip\/?$/, '') + `/whep/${encodeURIComponent(participantId)}`;
  return url.toString();
}
