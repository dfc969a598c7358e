import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CryptoKey, type JWK, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';

export const TOKEN_ALGORITHM = 'ES384';
const KEY_FILE = 'participant-token-key.json';

/** The server's own P-384 key pair; `kid` is the public key's JWK thumbprint, so it never changes for a key. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/**
 * Loads the key pair from `dataDir`, creating it on first start. Keeping it on
 * disk lets tokens issued before a restart still verify after it.
 */
export async function loadOrCreateSigningKey(dataDir: string): Promise<SigningKey> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, KEY_FILE);
  const jwk = (await readKeyFile(path)) ?? (await createKeyFile(path));
  const publicJwk: JWK = { kty: 'EC', crv: 'P-384', x: jwk.x, y: jwk.y };
  return {
    kid: await calculateJwkThumbprint(publicJwk),
    privateKey: (await importJWK(jwk, TOKEN_ALGORITHM)) as CryptoKey,
    publicKey: (await importJWK(publicJwk, TOKEN_ALGORITHM)) as CryptoKey,
  };
}

async function readKeyFile(path: string): Promise<JWK | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not valid JSON; restore it or delete it to generate a new key (existing tokens will stop verifying)`);
  }
  if (!isPrivateP384Jwk(jwk)) throw new Error(`${path} does not hold a private P-384 JWK`);
  return jwk;
}

/**
 * Writes a new key to a temporary file, then links it into place: the link
 * fails if another process created the key first, and readers never see a
 * half-written file. Either way the key on disk wins.
 */
async function createKeyFile(path: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
  const tempPath = `${path}.${randomUUID()}.tmp`;
  await writeFile(tempPath, JSON.stringify(await exportJWK(privateKey)), { mode: 0o600, flag: 'wx' });
  try {
    await link(tempPath, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(tempPath);
  }
  const jwk = await readKeyFile(path);
  if (!jwk) throw new Error(`${path} disappeared right after it was created`);
  return jwk;
}

function isPrivateP384Jwk(value: unknown): value is JWK {
  if (typeof value !== 'object' || value === null) return false;
  const jwk = value as Record<string, unknown>;
  return jwk.kty === 'EC' && jwk.crv === 'P-384' && [jwk.x, jwk.y, jwk.d].every((part) => typeof part === 'string' && part.length > 0);
}
