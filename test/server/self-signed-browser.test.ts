import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateStageCommand,
  DeletePublicKeyCommand,
  GetStageCommand,
  IVSRealTimeClient,
  ImportPublicKeyCommand,
  ListParticipantsCommand,
} from '@aws-sdk/client-ivs-realtime';
import { type CryptoKey, SignJWT, exportSPKI, generateKeyPair } from 'jose';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from '../helpers/node/chromium.js';
import { SOURCE_SERVER, startServerProcess } from '../helpers/node/stage-server-process.mjs';

const CREDENTIALS = { accessKeyId: 'SELFSIGNEDKEY', secretAccessKey: 'self-signed-secret' };

/**
 * Runs in the page: joins with `token` through the built SDK bundle, without
 * publishing or subscribing, and keeps the Stage as `window.stage`. A string,
 * so the test's TypeScript transform adds no helpers the page does not have.
 */
const joinInPage = (token: string) => `(async () => {
  const { Stage, SubscribeType } = await import('/dist/sdk.js');
  const stage = new Stage(${JSON.stringify(token)}, {
    stageStreamsToPublish: () => [],
    shouldPublishParticipant: () => false,
    shouldSubscribeToParticipant: () => SubscribeType.NONE,
  });
  try {
    await stage.join();
    window.stage = stage;
    return { joined: true };
  } catch (error) {
    return { joined: false, code: error.code, category: error.category };
  }
})()`;

/**
 * An application backend that signs its own participant tokens with an
 * imported key; a browser Stage joins with them until the key is deleted.
 * Uses the built SDK bundle (dist/sdk.js): `npm test` builds before it runs this.
 */
describe('a browser Stage joins with a token the application signed itself', { timeout: 120_000 }, () => {
  let server: Awaited<ReturnType<typeof startServerProcess>>;
  let client: IVSRealTimeClient;
  let browser: Browser;
  let page: Page;

  before(async () => {
    server = await startServerProcess(SOURCE_SERVER, { STAGE_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, STAGE_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey });
    client = new IVSRealTimeClient({ endpoint: server.url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
    browser = await launchChromium();
    page = await browser.newPage();
    // Any page of the server's origin can import the SDK bundle it serves.
    await page.goto(`${server.url}/dist/sdk.js`);
  });
  after(async () => {
    await browser?.close();
    client?.destroy();
    await server?.stop();
  });

  it('joins while the key is imported, and is refused once it is deleted', async () => {
    const { stage } = await client.send(new CreateStageCommand({ name: 'self-signed' }));
    const { privateKey, publicKey } = await generateKeyPair('ES384', { extractable: true });
    const { publicKey: imported } = await client.send(new ImportPublicKeyCommand({ publicKeyMaterial: await exportSPKI(publicKey), name: 'backend' }));
    const sign = (jti: string, key: CryptoKey = privateKey) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        jti,
        resource: stage!.arn,
        topic: stage!.arn!.split('/').pop(),
        events_url: stage!.endpoints!.events,
        whip_url: stage!.endpoints!.whip,
        capabilities: { allow_publish: true, allow_subscribe: true },
        version: '1.0',
        user_id: 'signed-by-backend',
        attributes: { plan: 'pro' },
      })
        .setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid: imported!.arn })
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(key);
    };

    assert.deepEqual(await page.evaluate(joinInPage(await sign('backend-1'))), { joined: true });
    const sessionId = (await client.send(new GetStageCommand({ arn: stage!.arn }))).stage?.activeSessionId;
    const { participants } = await client.send(new ListParticipantsCommand({ stageArn: stage!.arn, sessionId }));
    assert.deepEqual(participants?.map((p) => [p.participantId, p.userId, p.state]), [['backend-1', 'signed-by-backend', 'CONNECTED']]);
    await page.evaluate('window.stage.leave()');

    // Signed with another key under the same kid: refused, as a forged token must be.
    const stranger = (await generateKeyPair('ES384')).privateKey;
    assert.deepEqual(await page.evaluate(joinInPage(await sign('backend-2', stranger))), { joined: false, code: 1, category: 'JOIN_ERROR' });

    await client.send(new DeletePublicKeyCommand({ arn: imported!.arn }));
    assert.deepEqual(await page.evaluate(joinInPage(await sign('backend-3'))), { joined: false, code: 1, category: 'JOIN_ERROR' });
  });
});
