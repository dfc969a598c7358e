import { type CryptoKey, type JWSHeaderParameters, SignJWT, errors, jwtVerify } from 'jose';
import { PARTICIPANT_ID_PATTERN, type ParticipantTokenClaims, parseTokenClaims } from '../../protocol/index.js';
import { randomAlphanumeric } from '../random-id.js';
import { type SigningKey, TOKEN_ALGORITHM, loadOrCreateSigningKey } from './signing-key.js';

/** Same length as the participant ids IVS generates. */
const GENERATED_PARTICIPANT_ID_LENGTH = 12;

export class TokenError extends Error {
  override name = 'TokenError';

  constructor(readonly code: 'invalid' | 'expired', message: string) {
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

/** Issues and verifies participant tokens (ES384 JWTs) with the server's persisted key. */
export class ParticipantTokens {
  private constructor(private readonly key: SigningKey) {}

  static async open(dataDir: string): Promise<ParticipantTokens> {
    return new ParticipantTokens(await loadOrCreateSigningKey(dataDir));
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

  /** Checks signature, algorithm, expiry and claim shape; throws TokenError. */
  async verify(token: string): Promise<ParticipantTokenClaims> {
    if (typeof token !== 'string') throw new TokenError('invalid', 'token must be a string');
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, (header) => this.verificationKey(header), { algorithms: [TOKEN_ALGORITHM] }));
    } catch (error) {
      throw toTokenError(error);
    }
    try {
      return parseTokenClaims(payload);
    } catch (error) {
      throw new TokenError('invalid', (error as Error).message);
    }
  }

  /** The one place that maps a token's `kid` to a key; imported public keys will be looked up here too. */
  private verificationKey(header: JWSHeaderParameters): CryptoKey {
    if (header.kid === this.key.kid) return this.key.publicKey;
    throw new TokenError('invalid', 'token is signed with an unknown key');
  }
}

function toTokenError(error: unknown): unknown {
  if (error instanceof TokenError) return error;
  if (error instanceof errors.JWTExpired) return new TokenError('expired', 'token has expired');
  if (error instanceof errors.JOSEError) return new TokenError('invalid', `token is invalid: ${error.message}`);
  return error;
}
