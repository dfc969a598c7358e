/**
 * What a participant token may carry, whoever signed it: the limits of
 * CreateParticipantToken hold for tokens applications sign themselves too.
 */
export const MAX_TOKEN_MINUTES = 14 * 24 * 60;
export const MAX_USER_ID_LENGTH = 128;
/** Of the attributes as JSON: they are sent to everyone on the stage. */
export const MAX_ATTRIBUTES_BYTES = 1024;
/** How far a token's `iat` may lie ahead of this server's clock. */
export const MAX_CLOCK_SKEW_SECONDS = 60;

/** Until when a participant must stay revoked so that no token it holds can join again. */
export function revocationEnd(nowSeconds: number): number {
  return nowSeconds + MAX_TOKEN_MINUTES * 60 + MAX_CLOCK_SKEW_SECONDS;
}

/** Why claims exceed a limit, or undefined when they fit. */
export function claimsBeyondLimits(claims: { user_id?: string; attributes: Record<string, string>; iat: number; exp: number }, nowSeconds: number): string | undefined {
  if (claims.user_id !== undefined && claims.user_id.length > MAX_USER_ID_LENGTH) return `user_id is longer than ${MAX_USER_ID_LENGTH} characters`;
  if (Buffer.byteLength(JSON.stringify(claims.attributes)) > MAX_ATTRIBUTES_BYTES) return `attributes are more than ${MAX_ATTRIBUTES_BYTES} bytes in total`;
  if (claims.iat > nowSeconds + MAX_CLOCK_SKEW_SECONDS) return 'iat lies in the future';
  if (claims.exp - claims.iat > MAX_TOKEN_MINUTES * 60) return `the token lives longer than ${MAX_TOKEN_MINUTES / 60 / 24} days`;
  return undefined;
}
