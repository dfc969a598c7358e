import { type CryptoKey, type JWK, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { Database } from '../store/database.js';

export const TOKEN_ALGORITHM = 'ES384';

/** The server's own P-384 key pair; `kid` is the public key's JWK thumbprint, so it never changes for a key. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/**
 * Loads the key pair from the database, creating it on first start. Keeping
 * it there lets tokens issued before a restart still verify after it.
 */
export async function loadOrCreateSigningKey(db: Database): Promise<SigningKey> {
  if (!db.get('SELECT 1 FROM signing_key')) {
    const { privateKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
    const jwk = JSON.stringify(await exportJWK(privateKey));
    db.run('INSERT INTO signing_key (only_row, private_jwk) VALUES (1, ?) ON CONFLICT DO NOTHING', [jwk]);
  }
  const jwk = JSON.parse(String(db.get('SELECT private_jwk FROM signing_key')?.private_jwk)) as unknown;
  if (!isPrivateP384Jwk(jwk)) throw new Error('the database does not hold a private P-384 JWK as the token signing key');
  const publicJwk: JWK = { kty: 'EC', crv: 'P-384', x: jwk.x, y: jwk.y };
  return {
    kid: await calculateJwkThumbprint(publicJwk),
    privateKey: (await importJWK(jwk, TOKEN_ALGORITHM)) as CryptoKey,
    publicKey: (await importJWK(publicJwk, TOKEN_ALGORITHM)) as CryptoKey,
  };
}

function isPrivateP384Jwk(value: unknown): value is JWK {
  if (typeof value !== 'object' || value === null) return false;
  const jwk = value as Record<string, unknown>;
  return jwk.kty === 'EC' && jwk.crv === 'P-384' && [jwk.x, jwk.y, jwk.d].every((part) => typeof part === 'string' && part.length > 0);
}
