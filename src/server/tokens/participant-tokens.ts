import { type CryptoKey, type JWSHeaderParameters, SignJWT, errors, jwtVerify } from 'jose';
import { PARTICIPANT_ID_PATTERN, type ParticipantTokenClaims, parseTokenClaims } from '../../protocol/index.js';
import { randomAlphanumeric } from '../random-id.js';
import type { Database } from '../store/database.js';
import type { PublicKeyStore } from '../store/public-key-store.js';
import type { RevocationStore } from '../store/revocation-store.js';
import { ImportedKeys } from './imported-keys.js';
import { claimsBeyondLimits } from './token-limits.js';
import { type SigningKey, TOKEN_ALGORITHM, loadOrCreateSigningKey } from './signing-key.js';

/** Same length as the participant ids IVS generates. */
const GENERATED_PARTICIPANT_ID_LENGTH = 12;

export class TokenError extends Error {
  override name = 'TokenError';

  /** `revoked`: a valid token of a participant that was disconnected (DisconnectParticipant). */
  constructor(readonly code: 'invalid' | 'expired' | 'revoked', message: string) {
    super(message);
  }
}

export interface IssueTokenInput {
  stageArn: string;
  stageId: string;
  /** Generated when absent. */
  participantId?: string;
  userId?: string;
  attributes?: Record<string, string>;
  capabilities: { publish: boolean; subscribe: boolean };
  durationMinutes: number;
  eventsUrl: string;
  whipUrl: string;
}

export interface TokenStores {
  publicKeys: PublicKeyStore;
  revocations: RevocationStore;
}

/**
 * Issues participant tokens (ES384 JWTs) with the server's persisted key, and
 * verifies them and the tokens applications sign with an imported public key.
 */
export class ParticipantTokens {
  private readonly imported: ImportedKeys;

  private constructor(
    private readonly key: SigningKey,
    private readonly stores: TokenStores,
  ) {
    this.imported = new ImportedKeys(stores.publicKeys);
  }

  static async open(db: Database, stores: TokenStores): Promise<ParticipantTokens> {
    return new ParticipantTokens(await loadOrCreateSigningKey(db), stores);
  }

  async issue(input: IssueTokenInput): Promise<{ token: string; claims: ParticipantTokenClaims }> {
    if (!Number.isInteger(input.durationMinutes) || input.durationMinutes < 1) {
      throw new RangeError('durationMinutes must be a positive integer');
    }
    const participantId = input.participantId ?? randomAlphanumeric(GENERATED_PARTICIPANT_ID_LENGTH);
    if (!PARTICIPANT_ID_PATTERN.test(participantId)) throw new RangeError(`participantId must match ${PARTICIPANT_ID_PATTERN}`);
    const iat = Math.floor(Date.now() / 1000);
    const claims: ParticipantTokenClaims = {
      exp: iat + input.durationMinutes * 60,
      iat,
      jti: participantId,
      resource: input.stageArn,
      topic: input.stageId,
      events_url: input.eventsUrl,
      whip_url: input.whipUrl,
      capabilities: { allow_publish: input.capabilities.publish, allow_subscribe: input.capabilities.subscribe },
      version: '1.0',
      ...(input.userId !== undefined && { user_id: input.userId }),
      attributes: { ...input.attributes },
    };
    const token = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: 'JWT', kid: this.key.kid })
      .sign(this.key.privateKey);
    return { token, claims };
  }

  /** Checks signature, algorithm, expiry, claim shape and revocation; throws TokenError. */
  async verify(token: string): Promise<ParticipantTokenClaims> {
    if (typeof token !== 'string') throw new TokenError('invalid', 'token must be a string');
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, (header) => this.verificationKey(header), { algorithms: [TOKEN_ALGORITHM] }));
    } catch (error) {
      throw toTokenError(error);
    }
    let claims: ParticipantTokenClaims;
    try {
      claims = parseTokenClaims(payload);
    } catch (error) {
      throw new TokenError('invalid', (error as Error).message);
    }
    // Applications sign their own tokens: the stage id must be the one the ARN names, and the claims fit what we would issue.
    if (!claims.resource.endsWith(`/${claims.topic}`)) throw new TokenError('invalid', 'token topic is not the stage its resource names');
    const beyond = claimsBeyondLimits(claims, Math.floor(Date.now() / 1000));
    if (beyond) throw new TokenError('invalid', `token claims exceed the limits: ${beyond}`);
    if (this.stores.revocations.isRevoked(claims.resource, claims.jti)) {
      throw new TokenError('revoked', 'the participant was disconnected; its token may not join again');
    }
    return claims;
  }

  /** The one place that maps a token's `kid` to a key: the server's own, or an imported public key named by its ARN. */
  private async verificationKey(header: JWSHeaderParameters): Promise<CryptoKey> {
    if (header.kid === this.key.kid) return this.key.publicKey;
    // A kid of another JSON type (the header is the client's) names no key either.
    const imported = typeof header.kid === 'string' ? await this.imported.get(header.kid) : undefined;
    if (imported) return imported;
    throw new TokenError('invalid', 'token is signed with an unknown key');
  }
}

function toTokenError(error: unknown): unknown {
  if (error instanceof TokenError) return error;
  if (error instanceof errors.JWTExpired) return new TokenError('expired', 'token has expired');
  if (error instanceof errors.JOSEError) return new TokenError('invalid', `token is invalid: ${error.message}`);
  return error;
}
