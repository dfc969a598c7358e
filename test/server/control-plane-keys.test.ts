import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateStageCommand,
  DeletePublicKeyCommand,
  GetPublicKeyCommand,
  ImportPublicKeyCommand,
  ListPublicKeysCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ivs-realtime';
import { SignJWT, exportSPKI, generateKeyPair } from 'jose';
import { ARN_PREFIX, type ControlPlaneHarness, expectApiError, startControlPlane } from './control-plane-harness.js';

async function p384Pem() {
  const { privateKey, publicKey } = await generateKeyPair('ES384', { extractable: true });
  return { privateKey, pem: await exportSPKI(publicKey) };
}

describe('control plane: public keys and tags', () => {
  let harness: ControlPlaneHarness;
  before(async () => {
    harness = await startControlPlane();
  });
  after(() => harness.close());

  it('imports, gets, lists and deletes public keys; tokens they sign verify until the key is deleted', async () => {
    const { client, tokens } = harness;
    const { privateKey, pem } = await p384Pem();
    const { publicKey } = await client.send(new ImportPublicKeyCommand({ publicKeyMaterial: pem, name: 'app-key', tags: { env: 'test' } }));
    assert.match(publicKey?.arn ?? '', /^arn:aws:ivs:us-east-1:000000000000:public-key\/[A-Za-z0-9]+$/);
    assert.equal(publicKey?.name, 'app-key');
    assert.equal(publicKey?.publicKeyMaterial, pem);
    assert.match(publicKey?.fingerprint ?? '', /^([0-9a-f]{2}:){31}[0-9a-f]{2}$/);
    assert.deepEqual(publicKey?.tags, { env: 'test' });
    assert.deepEqual((await client.send(new GetPublicKeyCommand({ arn: publicKey!.arn }))).publicKey, publicKey);

    await expectApiError(client.send(new ImportPublicKeyCommand({ publicKeyMaterial: pem })), 'ConflictException');
    const second = (await client.send(new ImportPublicKeyCommand({ publicKeyMaterial: (await p384Pem()).pem }))).publicKey!;
    const firstPage = await client.send(new ListPublicKeysCommand({ maxResults: 1 }));
    assert.deepEqual(firstPage.publicKeys, [{ arn: publicKey!.arn, name: 'app-key', tags: { env: 'test' } }]);
    const secondPage = await client.send(new ListPublicKeysCommand({ maxResults: 1, nextToken: firstPage.nextToken }));
    assert.deepEqual(secondPage.publicKeys?.map((k) => k.arn), [second.arn]);
    assert.equal(secondPage.nextToken, undefined);

    const { stage } = await client.send(new CreateStageCommand({}));
    const now = Math.floor(Date.now() / 1000);
    const selfSigned = await new SignJWT({
      jti: 'app-signed',
      resource: stage!.arn,
      topic: stage!.arn!.slice(ARN_PREFIX.length),
      events_url: stage!.endpoints!.events,
      whip_url: stage!.endpoints!.whip,
      capabilities: { allow_publish: true, allow_subscribe: true },
      version: '1.0',
      attributes: {},
    })
      .setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid: publicKey!.arn })
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(privateKey);
    assert.equal((await tokens.verify(selfSigned)).jti, 'app-signed');

    await client.send(new DeletePublicKeyCommand({ arn: publicKey!.arn }));
    await expectApiError(client.send(new GetPublicKeyCommand({ arn: publicKey!.arn })), 'ResourceNotFoundException');
    await expectApiError(client.send(new DeletePublicKeyCommand({ arn: publicKey!.arn })), 'ResourceNotFoundException');
    await assert.rejects(tokens.verify(selfSigned), /unknown key/);
  });

  it('refuses key material that is not a P-384 public key', async () => {
    const { client } = harness;
    const p256 = await exportSPKI((await generateKeyPair('ES256', { extractable: true })).publicKey);
    await expectApiError(client.send(new ImportPublicKeyCommand({ publicKeyMaterial: p256 })), 'ValidationException', /P-384/);
    await expectApiError(client.send(new ImportPublicKeyCommand({ publicKeyMaterial: 'not a key' })), 'ValidationException', /publicKeyMaterial/);
    await expectApiError(client.send(new ImportPublicKeyCommand({ publicKeyMaterial: '' })), 'ValidationException', /publicKeyMaterial/);
    await expectApiError(client.send(new GetPublicKeyCommand({ arn: 'arn:aws:ivs:us-east-1:000000000000:stage/notakey' })), 'ValidationException', /arn/);
  });

  it('tags, untags and lists the tags of stages and public keys', async () => {
    const { client } = harness;
    const { stage } = await client.send(new CreateStageCommand({ tags: { team: 'video' } }));
    const resourceArn = stage!.arn!;
    await client.send(new TagResourceCommand({ resourceArn, tags: { env: 'prod', owner: 'ana' } }));
    assert.deepEqual((await client.send(new ListTagsForResourceCommand({ resourceArn }))).tags, { env: 'prod', owner: 'ana', team: 'video' });
    await client.send(new UntagResourceCommand({ resourceArn, tagKeys: ['owner', 'team', 'absent'] }));
    assert.deepEqual((await client.send(new ListTagsForResourceCommand({ resourceArn }))).tags, { env: 'prod' });

    const { publicKey } = await client.send(new ImportPublicKeyCommand({ publicKeyMaterial: (await p384Pem()).pem }));
    await client.send(new TagResourceCommand({ resourceArn: publicKey!.arn, tags: { use: 'tokens' } }));
    assert.deepEqual((await client.send(new GetPublicKeyCommand({ arn: publicKey!.arn }))).publicKey?.tags, { use: 'tokens' });

    const missing = `${ARN_PREFIX}NoSuchStage1`;
    await expectApiError(client.send(new ListTagsForResourceCommand({ resourceArn: missing })), 'ResourceNotFoundException');
    await expectApiError(client.send(new TagResourceCommand({ resourceArn: missing, tags: { a: 'b' } })), 'ResourceNotFoundException');
    await expectApiError(client.send(new TagResourceCommand({ resourceArn, tags: { 'aws:x': 'y' } })), 'ValidationException', /aws:/);
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    await expectApiError(client.send(new TagResourceCommand({ resourceArn, tags: many })), 'ValidationException', /50/);
    assert.deepEqual((await client.send(new ListTagsForResourceCommand({ resourceArn }))).tags, { env: 'prod' });
  });
});
