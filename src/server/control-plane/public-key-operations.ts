import { createHash, createPublicKey } from 'node:crypto';
import type { JsonObject } from '../../protocol/index.js';
import type { PublicKeyRecord } from '../store/public-key-store.js';
import { ApiError, notFoundError, validationError } from './errors.js';
import { optionalString, requiredString } from './input.js';
import type { Operation, OperationContext } from './operation-context.js';
import { paginate } from './pagination.js';
import { parseTags } from './tags.js';

const PUBLIC_KEY_ARN = { max: 128, pattern: /^arn:aws:ivs:[a-z0-9-]+:[0-9]+:public-key\/[a-zA-Z0-9-]+$/ };
const KEY_NAME = { max: 128, pattern: /^[a-zA-Z0-9-_]*$/ };
const MAX_PEM_LENGTH = 4096;

/** Imports a P-384 public key (PEM); tokens whose `kid` is the returned ARN and that it verifies are accepted. */
export const importPublicKey: Operation = async (input, ctx) => {
  const material = requiredString(input, 'publicKeyMaterial', { max: MAX_PEM_LENGTH });
  const name = optionalString(input, 'name', KEY_NAME);
  const tags = parseTags(input);
  const record = ctx.stores.publicKeys.create({ name, material, fingerprint: p384Fingerprint(material), tags });
  if (!record) throw new ApiError('ConflictException', 'this public key is already imported');
  return { publicKey: toPublicKey(record) };
};

export const getPublicKey: Operation = async (input, ctx) => ({ publicKey: toPublicKey(findPublicKey(ctx, input)) });

export const listPublicKeys: Operation = async (input, ctx) => {
  const { page, nextToken } = paginate(ctx.stores.publicKeys.list(), input, { key: (k) => [k.createdAt, k.arn] });
  return { publicKeys: page.map((k) => ({ arn: k.arn, name: k.name, tags: k.tags })), ...(nextToken && { nextToken }) };
};

/** Tokens signed with the key stop verifying at once, and the connections that came with them end. */
export const deletePublicKey: Operation = async (input, ctx) => {
  const { arn } = findPublicKey(ctx, input);
  ctx.stores.publicKeys.delete(arn);
  ctx.leases.keyDeleted(arn);
  return {};
};

function findPublicKey(ctx: OperationContext, input: JsonObject): PublicKeyRecord {
  const arn = requiredString(input, 'arn', PUBLIC_KEY_ARN);
  const record = ctx.stores.publicKeys.get(arn);
  if (!record) throw notFoundError(`public key ${arn} does not exist`);
  return record;
}

/** SHA-256 of the key's DER encoding; throws ValidationException unless the PEM is a P-384 public key. */
function p384Fingerprint(pem: string): string {
  let key;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw validationError('publicKeyMaterial is not a PEM-encoded public key');
  }
  if (key.type !== 'public' || key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'secp384r1') {
    throw validationError('publicKeyMaterial must be an ECDSA P-384 public key');
  }
  return createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex').replace(/(..)(?!$)/g, '$1:');
}

function toPublicKey(k: PublicKeyRecord) {
  return { arn: k.arn, name: k.name, publicKeyMaterial: k.material, fingerprint: k.fingerprint, tags: k.tags };
}
