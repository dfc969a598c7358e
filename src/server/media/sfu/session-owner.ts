import { createHash, timingSafeEqual } from 'node:crypto';
import type { ParticipantTokenClaims } from '../../../protocol/index.js';

/** Who opened a session: the verified claims of its token, and a digest of the token itself. */
export interface SessionOwner {
  claims: ParticipantTokenClaims;
  tokenDigest: Buffer;
}

export function sessionOwner(claims: ParticipantTokenClaims, token: string): SessionOwner {
  return { claims, tokenDigest: digest(token) };
}

/** Whether an owner is this participant of this stage. */
export function isParticipant(owner: SessionOwner, stageId: string, participantId: string): boolean {
  return owner.claims.topic === stageId && owner.claims.jti === participantId;
}

/**
 * Whether `token` is the one that opened the session. Compared by digest, so it
 * still works after the token expired (a client must always be able to leave).
 */
export function isOwnerToken(owner: SessionOwner, token: string): boolean {
  return timingSafeEqual(owner.tokenDigest, digest(token));
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
