import { ImportPublicKeyCommand, type IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { type CryptoKey, SignJWT, exportSPKI, generateKeyPair } from 'jose';

export interface AppSigner {
  privateKey: CryptoKey;
  /** The imported key's ARN, the `kid` of what it signs. */
  kid: string;
}

/** A P-384 key pair whose public half is imported with ImportPublicKey, as an application would do. */
export async function importAppSigner(client: IVSRealTimeClient): Promise<AppSigner> {
  const { privateKey, publicKey } = await generateKeyPair('ES384', { extractable: true });
  const { publicKey: imported } = await client.send(new ImportPublicKeyCommand({ publicKeyMaterial: await exportSPKI(publicKey) }));
  return { privateKey, kid: imported!.arn! };
}

/** A token for `stage` signed by the application: valid for ten minutes unless `claims` says otherwise. */
export function signAppToken(
  signer: AppSigner,
  stage: { arn: string; events: string; whip: string },
  claims: Record<string, unknown>,
  kid = signer.kid,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    resource: stage.arn,
    topic: stage.arn.split('/').pop(),
    events_url: stage.events,
    whip_url: stage.whip,
    capabilities: { allow_publish: true, allow_subscribe: true },
    version: '1.0',
    attributes: {},
    iat: now,
    exp: now + 600,
    ...claims,
  })
    .setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid })
    .sign(signer.privateKey);
}
