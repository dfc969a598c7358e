import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateParticipantTokenCommand,
  CreateStageCommand,
  DeleteStageCommand,
  GetStageCommand,
  IVSRealTimeClient,
  ListStagesCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-ivs-realtime';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { decodeJwt } from 'jose';
import type { ServerLeaveReason } from '../../src/protocol/index.js';
import { ApiError, type ApiErrorType, sendApiError } from '../../src/server/control-plane/errors.js';
import { openStores } from '../../src/server/store/stores.js';
import { ARN_PREFIX, CREDENTIALS, type ControlPlaneHarness, REGION, clientFor, expectApiError, listen, startControlPlane } from './control-plane-harness.js';

/** A request signed like the AWS clients do, so a test can change it after signing. */
async function signedRequest(origin: string, path: string, body: string, applyChecksum: boolean): Promise<{ url: string; init: RequestInit }> {
  const url = new URL(path, origin);
  const signer = new SignatureV4({ service: 'ivs', region: REGION, credentials: CREDENTIALS, sha256: Hash.bind(null, 'sha256'), applyChecksum });
  const request = await signer.sign(
    new HttpRequest({ method: 'POST', hostname: url.hostname, path, headers: { host: url.host, 'content-type': 'application/json' }, body }),
  );
  return { url: url.toString(), init: { method: 'POST', headers: request.headers } };
}

describe('control plane', () => {
  let harness: ControlPlaneHarness;
  let origin: string;
  let client: IVSRealTimeClient;

  before(async () => {
    harness = await startControlPlane();
    ({ origin, client } = harness);
  });
  after(() => harness.close());

  it('creates a stage, with participant tokens when configured', async () => {
    const { stage, participantTokens } = await client.send(
      new CreateStageCommand({
        name: 'first-stage',
        tags: { team: 'video' },
        participantTokenConfigurations: [{ userId: 'host', capabilities: ['PUBLISH', 'SUBSCRIBE'] }, { duration: 30 }],
      }),
    );
    assert.ok(stage && participantTokens);
    assert.ok(stage.arn?.startsWith(ARN_PREFIX));
    assert.equal(stage.name, 'first-stage');
    assert.deepEqual(stage.tags, { team: 'video' });
    assert.deepEqual(stage.endpoints, { events: `${origin.replace('http:', 'ws:')}/events`, whip: `${origin}/whip` });
    assert.equal(participantTokens?.length, 2);
    assert.equal(participantTokens[0].userId, 'host');
    assert.equal(participantTokens[0].duration, 720);
    assert.equal(participantTokens[1].duration, 30);
    assert.deepEqual(participantTokens[1].capabilities, ['PUBLISH', 'SUBSCRIBE']);
    for (const t of participantTokens) assert.equal((await harness.tokens.verify(t.token!)).resource, stage.arn);
  });

  it('issues participant tokens with and without PUBLISH', async () => {
    const { stage } = await client.send(new CreateStageCommand({}));
    const before = Math.floor(Date.now() / 1000);
    const { participantToken: publisher } = await client.send(
      new CreateParticipantTokenCommand({ stageArn: stage!.arn, userId: 'alice', attributes: { seat: '1' }, duration: 60 }),
    );
    assert.ok(publisher?.token && publisher.participantId);
    assert.deepEqual(publisher.capabilities, ['PUBLISH', 'SUBSCRIBE']);
    assert.equal(publisher.duration, 60);
    assert.ok(publisher.expirationTime instanceof Date);

    const claims = decodeJwt(publisher.token);
    assert.equal(claims.jti, publisher.participantId);
    assert.equal(claims.resource, stage!.arn);
    assert.equal(claims.topic, stage!.arn!.slice(ARN_PREFIX.length));
    assert.equal(claims.events_url, `${origin.replace('http:', 'ws:')}/events`);
    assert.equal(claims.whip_url, `${origin}/whip`);
    assert.deepEqual(claims.capabilities, { allow_publish: true, allow_subscribe: true });
    assert.equal(claims.version, '1.0');
    assert.equal(claims.user_id, 'alice');
    assert.deepEqual(claims.attributes, { seat: '1' });
    assert.ok(claims.iat! >= before);
    assert.equal(claims.exp! - claims.iat!, 60 * 60);
    assert.equal(publisher.expirationTime.getTime(), claims.exp! * 1000);
    assert.equal((await harness.tokens.verify(publisher.token)).jti, publisher.participantId);

    const { participantToken: viewer } = await client.send(
      new CreateParticipantTokenCommand({ stageArn: stage!.arn, capabilities: ['SUBSCRIBE'] }),
    );
    const viewerClaims = await harness.tokens.verify(viewer!.token!);
    assert.deepEqual(viewerClaims.capabilities, { allow_publish: false, allow_subscribe: true });
    assert.equal(viewerClaims.user_id, undefined);
    assert.deepEqual(viewerClaims.attributes, {});
    assert.equal(viewerClaims.exp - viewerClaims.iat, 720 * 60);
    assert.deepEqual(viewer!.capabilities, ['SUBSCRIBE']);
  });

  it('gets and updates a stage', async () => {
    const { stage: created } = await client.send(new CreateStageCommand({ name: 'before' }));
    const { stage: fetched } = await client.send(new GetStageCommand({ arn: created!.arn }));
    assert.deepEqual(fetched, created);
    const { stage: updated } = await client.send(new UpdateStageCommand({ arn: created!.arn, name: 'after' }));
    assert.equal(updated?.name, 'after');
    assert.equal((await client.send(new GetStageCommand({ arn: created!.arn }))).stage?.name, 'after');
  });

  it('lists stages oldest first, page by page', async () => {
    for (let i = 0; i < 3; i++) await client.send(new CreateStageCommand({ name: `listed-${i}` }));
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new ListStagesCommand({ maxResults: 2, nextToken }));
      assert.ok(page.stages!.length <= 2);
      seen.push(...page.stages!.map((s) => s.arn!));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    assert.deepEqual(seen, harness.stores.stages.list().map((s) => s.arn));
    assert.equal(pages, Math.ceil(seen.length / 2));
    const all = await client.send(new ListStagesCommand({}));
    assert.equal(all.stages?.length, seen.length);
    assert.equal(all.nextToken, undefined);
  });

  it('deletes a stage and ends its participants', async () => {
    const { stage } = await client.send(new CreateStageCommand({ name: 'doomed' }));
    const { participantToken } = await client.send(new CreateParticipantTokenCommand({ stageArn: stage!.arn }));
    const ended: ServerLeaveReason[] = [];
    harness.live.join(await harness.tokens.verify(participantToken!.token!), { send: () => {}, end: (reason) => ended.push(reason) });

    await client.send(new DeleteStageCommand({ arn: stage!.arn }));
    assert.deepEqual(ended, ['stage-deleted']);
    await expectApiError(client.send(new GetStageCommand({ arn: stage!.arn })), 'ResourceNotFoundException');
    await expectApiError(client.send(new DeleteStageCommand({ arn: stage!.arn })), 'ResourceNotFoundException');
  });

  it('keeps stages across a restart', async () => {
    const reopened = openStores({ path: `${harness.dataDir}/stage.sqlite`, region: REGION, accountId: '000000000000' });
    try {
      assert.deepEqual(reopened.stages.list(), harness.stores.stages.list());
    } finally {
      reopened.db.close();
    }
  });

  it('answers ResourceNotFoundException for an unknown stage', async () => {
    const arn = `${ARN_PREFIX}NoSuchStage1`;
    await expectApiError(client.send(new GetStageCommand({ arn })), 'ResourceNotFoundException', /NoSuchStage1/);
    await expectApiError(client.send(new CreateParticipantTokenCommand({ stageArn: arn })), 'ResourceNotFoundException');
    await expectApiError(client.send(new UpdateStageCommand({ arn, name: 'x' })), 'ResourceNotFoundException');
  });

  it('answers ValidationException naming the bad field', async () => {
    const { stage } = await client.send(new CreateStageCommand({}));
    const stageArn = stage!.arn!;
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => client.send(new CreateParticipantTokenCommand({ stageArn, duration: 0 })), /duration/],
      [() => client.send(new CreateParticipantTokenCommand({ stageArn, duration: 20161 })), /duration/],
      [() => client.send(new CreateParticipantTokenCommand({ stageArn, userId: 'u'.repeat(129) })), /userId/],
      [() => client.send(new CreateParticipantTokenCommand({ stageArn, attributes: { big: 'x'.repeat(1100) } })), /attributes/],
      [() => client.send(new CreateParticipantTokenCommand({ stageArn, capabilities: ['ADMIN' as 'PUBLISH'] })), /capabilities/],
      [() => client.send(new CreateParticipantTokenCommand({ stageArn: 'not-an-arn' })), /stageArn/],
      [() => client.send(new CreateStageCommand({ name: 'has spaces' })), /name/],
      [() => client.send(new CreateStageCommand({ tags: { 'aws:reserved': 'x' } })), /tags/],
      [
        () => client.send(new CreateStageCommand({ participantTokenConfigurations: Array.from({ length: 13 }, () => ({})) })),
        /participantTokenConfigurations/,
      ],
      [() => client.send(new CreateStageCommand({ participantTokenConfigurations: [{ duration: -1 }] })), /participantTokenConfigurations\[0\]\.duration/],
      [() => client.send(new ListStagesCommand({ maxResults: 101 })), /maxResults/],
      [() => client.send(new ListStagesCommand({ nextToken: 'garbage' })), /nextToken/],
    ];
    for (const [send, pattern] of cases) await expectApiError(send(), 'ValidationException', pattern);
  });

  it('denies requests signed with a wrong secret, a skewed clock, or not at all', async () => {
    const wrongSecret = clientFor(origin, { secretAccessKey: 'not-the-secret' });
    await expectApiError(wrongSecret.send(new ListStagesCommand({})), 'AccessDeniedException', /signature/);
    wrongSecret.destroy();

    const skewed = clientFor(origin, { systemClockOffset: -20 * 60 * 1000 });
    await expectApiError(skewed.send(new ListStagesCommand({})), 'AccessDeniedException', /x-amz-date/);
    skewed.destroy();

    const unknownKey = new IVSRealTimeClient({
      endpoint: origin,
      region: REGION,
      credentials: { accessKeyId: 'SOMEONEELSE', secretAccessKey: CREDENTIALS.secretAccessKey },
      maxAttempts: 1,
    });
    await expectApiError(unknownKey.send(new ListStagesCommand({})), 'AccessDeniedException', /access key/);
    unknownKey.destroy();

    // With and without x-amz-content-sha256: the body must match the signature either way.
    for (const applyChecksum of [true, false]) {
      const signed = await signedRequest(origin, '/CreateStage', '{"name":"signed"}', applyChecksum);
      const accepted = await fetch(signed.url, { ...signed.init, body: '{"name":"signed"}' });
      assert.equal(accepted.status, 200);
      const tampered = await fetch(signed.url, { ...signed.init, body: '{"name":"swapped"}' });
      assert.equal(tampered.status, 403);
    }

    const unsigned = await fetch(`${origin}/ListStages`, { method: 'POST', body: '{}' });
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.headers.get('x-amzn-errortype'), 'AccessDeniedException');
    assert.match((await unsigned.json()).message, /Authorization/);
  });

  it('refuses a signed request sent a second time, while the official client may repeat a call at once', async () => {
    const signed = await signedRequest(origin, '/CreateStage', '{"name":"once"}', true);
    const first = await fetch(signed.url, { ...signed.init, body: '{"name":"once"}' });
    assert.equal(first.status, 200);
    const replayed = await fetch(signed.url, { ...signed.init, body: '{"name":"once"}' });
    assert.equal(replayed.status, 403);
    assert.equal(replayed.headers.get('x-amzn-errortype'), 'AccessDeniedException');
    assert.match((await replayed.json()).message, /already received/);
    // Each call signs its own invocation id, so the same call twice in one second is two requests.
    const again = await Promise.all([client.send(new ListStagesCommand({})), client.send(new ListStagesCommand({}))]);
    assert.equal(again.length, 2);
  });

  it('leaves requests that are not operations to the next handler', async () => {
    assert.equal((await fetch(`${origin}/CreateStage`)).status, 404);
    assert.equal((await fetch(`${origin}/NotAnOperation`, { method: 'POST' })).status, 404);
  });
});

describe('control plane errors', () => {
  const types: [ApiErrorType, number][] = [
    ['ValidationException', 400],
    ['ServiceQuotaExceededException', 402],
    ['AccessDeniedException', 403],
    ['ResourceNotFoundException', 404],
    ['ConflictException', 409],
    ['InternalServerException', 500],
  ];

  it('map to the official client exception classes', async () => {
    let next: ApiError = new ApiError('ValidationException', '');
    const { close, origin } = await listen(async (_req, res) => {
      sendApiError(res, next);
      return true;
    });
    const client = clientFor(origin);
    try {
      for (const [type, status] of types) {
        next = new ApiError(type, `a ${type} happened`);
        await assert.rejects(client.send(new ListStagesCommand({})), (error: Error & Record<string, unknown>) => {
          assert.equal(error.name, type);
          assert.equal(error.message, `a ${type} happened`);
          assert.equal(error.exceptionMessage, `a ${type} happened`);
          assert.equal((error.$metadata as { httpStatusCode: number }).httpStatusCode, status);
          return true;
        });
      }
    } finally {
      client.destroy();
      await close();
    }
  });
});
