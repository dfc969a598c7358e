import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateParticipantTokenCommand,
  CreateStageCommand,
  DeletePublicKeyCommand,
  DisconnectParticipantCommand,
  GetStageCommand,
  type IVSRealTimeClient,
  ListParticipantsCommand,
  ListStagesCommand,
  type ParticipantTokenCapability,
} from '@aws-sdk/client-ivs-realtime';
import { importAppSigner, signAppToken } from './self-signed-tokens.js';
import { whepUrlFor } from '../../src/protocol/index.js';
import { expectApiError, mediaStatus, startServer } from './control-plane-harness.js';
import { joinEvents } from './events-connection.js';

/**
 * Every way a token can be bad, tried on the events channel and on WHIP
 * against a stage with one participant on it: each is refused with its own
 * error, and who is on the stage (and which stages exist) does not change.
 */
describe('security: refused tokens change nothing', () => {
  let running: Awaited<ReturnType<typeof startServer>>;
  let client: IVSRealTimeClient;
  let stage: { arn: string; id: string; events: string; whip: string };
  let host: { participantId: string };

  before(async () => {
    running = await startServer();
    ({ client } = running);
    const created = (await client.send(new CreateStageCommand({ name: 'guarded' }))).stage!;
    stage = { arn: created.arn!, id: created.arn!.split('/').pop()!, events: created.endpoints!.events!, whip: created.endpoints!.whip! };
    const { participantToken } = await client.send(new CreateParticipantTokenCommand({ stageArn: stage.arn, userId: 'host' }));
    host = { participantId: participantToken!.participantId! };
    assert.equal((await joinEvents(stage.events, participantToken!.token!)).first.type, 'joined');
  });
  after(() => running.close());

  async function token(capabilities?: ParticipantTokenCapability[]): Promise<string> {
    return (await client.send(new CreateParticipantTokenCommand({ stageArn: stage.arn, capabilities }))).participantToken!.token!;
  }

  /** Who is on the stage, and which stages exist: what a refused request must leave alone. */
  async function snapshot() {
    const sessionId = (await client.send(new GetStageCommand({ arn: stage.arn }))).stage?.activeSessionId;
    const { participants } = await client.send(new ListParticipantsCommand({ stageArn: stage.arn, sessionId }));
    const { stages } = await client.send(new ListStagesCommand({}));
    return { sessionId, participants: participants?.map((p) => [p.participantId, p.state]), stages: stages?.map((s) => s.arn) };
  }

  it('refuses forged, unsigned, expired, wrong-stage, revoked and deleted-key tokens', async () => {
    const signer = await importAppSigner(client);
    const imported = { arn: signer.kid };
    const now = Math.floor(Date.now() / 1000);
    let signedCount = 0;
    const signed = (claims: Record<string, unknown>, kid = signer.kid) => signAppToken(signer, stage, { jti: `app-signed-${++signedCount}`, ...claims }, kid);

    const genuine = await token();
    const [header, payload, signature] = genuine.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, user_id: 'admin' })).toString('base64url')}.${signature}`;
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    // Found by fuzz-during-call.test.ts: WHIP and WHEP answered this one 500.
    const objectKid = `${Buffer.from(JSON.stringify({ alg: 'ES384', typ: 'JWT', kid: { arn: imported.arn } })).toString('base64url')}.${payload}.${signature}`;
    const expired = await signed({ iat: now - 7200, exp: now - 3600 });
    const wrongStage = await signed({ topic: 'SomeOtherStg' });
    const { participantToken: revoked } = await client.send(new CreateParticipantTokenCommand({ stageArn: stage.arn }));
    await client.send(new DisconnectParticipantCommand({ stageArn: stage.arn, participantId: revoked!.participantId }));
    const deletedKey = await signed({});
    const otherKey = await signed({}, `${imported!.arn}-gone`);

    const before = await snapshot();
    assert.deepEqual(before.participants, [[host.participantId, 'CONNECTED']]);
    const cases: [name: string, token: string, eventsCode: string][] = [
      ['forged signature', forged, 'token-invalid'],
      ['alg none', unsigned, 'token-invalid'],
      ['kid not a string', objectKid, 'token-invalid'],
      ['expired', expired, 'token-expired'],
      ['wrong stage', wrongStage, 'token-invalid'],
      ['revoked', revoked!.token!, 'participant-disconnected'],
      ['unknown key', otherKey, 'token-invalid'],
    ];
    const expectRefused = async ([name, bad, code]: (typeof cases)[number]) => {
      const refused = await joinEvents(stage.events, bad);
      assert.deepEqual(refused.first.type === 'error' && refused.first.code, code, name);
      await refused.closed;
      assert.equal((await mediaStatus(stage.whip, bad)).status, 401, name);
      assert.equal((await mediaStatus(whepUrlFor(stage.whip, host.participantId), bad)).status, 401, name);
    };
    for (const refusal of cases) await expectRefused(refusal);
    // Until its key is deleted this token passes (and only the empty offer is refused).
    assert.equal((await mediaStatus(stage.whip, deletedKey)).status, 400);
    await client.send(new DeletePublicKeyCommand({ arn: imported!.arn }));
    await expectRefused(['deleted key', deletedKey, 'token-invalid']);
    assert.deepEqual(await snapshot(), before);
  });

  it('refuses what a token does not allow, and oversized attributes', async () => {
    const before = await snapshot();
    assert.equal((await mediaStatus(stage.whip, await token(['SUBSCRIBE']))).status, 403);
    assert.equal((await mediaStatus(whepUrlFor(stage.whip, host.participantId), await token(['PUBLISH']))).status, 403);
    await expectApiError(
      client.send(new CreateParticipantTokenCommand({ stageArn: stage.arn, attributes: { a: 'x'.repeat(600), b: 'y'.repeat(600) } })),
      'ValidationException',
      /attributes/,
    );
    assert.deepEqual(await snapshot(), before);
  });

  it('a second connection with the same token replaces the first (token-reused) and adds no one', async () => {
    const before = await snapshot();
    const shared = await token();
    const first = await joinEvents(stage.events, shared);
    const second = await joinEvents(stage.events, shared);
    assert.equal(second.first.type, 'joined');
    assert.deepEqual(await first.next(), { type: 'left', reason: 'token-reused' });
    const during = await snapshot();
    assert.equal(during.participants?.length, before.participants!.length + 1);
    second.socket.close();
  });
});
