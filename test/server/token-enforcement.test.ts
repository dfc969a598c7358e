import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateParticipantTokenCommand,
  CreateStageCommand,
  DeletePublicKeyCommand,
  DeleteStageCommand,
  DisconnectParticipantCommand,
  type IVSRealTimeClient,
} from '@aws-sdk/client-ivs-realtime';
import { importAppSigner, signAppToken } from './self-signed-tokens.js';
import { whepUrlFor } from '../../src/protocol/index.js';
import { mediaStatus, startServer } from './control-plane-harness.js';
import { joinEvents } from './events-connection.js';

const MAX_SUBSCRIBERS = 3;

describe('token rules on the events channel, WHIP and WHEP', () => {
  let running: Awaited<ReturnType<typeof startServer>>;
  let client: IVSRealTimeClient;

  before(async () => {
    running = await startServer({ STAGE_MAX_SUBSCRIBERS: String(MAX_SUBSCRIBERS) });
    ({ client } = running);
  });
  after(() => running.close());

  async function newStage(): Promise<{ arn: string; events: string; whip: string }> {
    const { stage } = await client.send(new CreateStageCommand({}));
    return { arn: stage!.arn!, events: stage!.endpoints!.events!, whip: stage!.endpoints!.whip! };
  }

  async function token(stageArn: string, userId = 'someone') {
    const { participantToken } = await client.send(new CreateParticipantTokenCommand({ stageArn, userId }));
    return { token: participantToken!.token!, participantId: participantToken!.participantId! };
  }

  it('accepts a token the application signed with an imported key, and refuses it once the key is deleted', async () => {
    const stage = await newStage();
    const signer = await importAppSigner(client);
    const imported = { arn: signer.kid };
    const selfSigned = (jti: string) => signAppToken(signer, stage, { jti, user_id: 'app-user', attributes: { signedBy: 'app' } });

    const accepted = await joinEvents(stage.events, await selfSigned('app-signed-1'));
    assert.equal(accepted.first.type, 'joined');
    assert.equal(accepted.first.type === 'joined' && accepted.first.self.userId, 'app-user');
    assert.equal((await mediaStatus(stage.whip, await selfSigned('app-signed-2'))).status, 400);

    await client.send(new DeletePublicKeyCommand({ arn: imported!.arn }));
    const refused = await joinEvents(stage.events, await selfSigned('app-signed-3'));
    assert.equal(refused.first.type === 'error' && refused.first.code, 'token-invalid');
    assert.equal((await mediaStatus(stage.whip, await selfSigned('app-signed-4'))).status, 401);
    accepted.socket.close();
  });

  it('makes a disconnected participant leave, and refuses its token everywhere afterwards', async () => {
    const stage = await newStage();
    const ana = await token(stage.arn, 'ana');
    const bo = await token(stage.arn, 'bo');
    const anaEvents = await joinEvents(stage.events, ana.token);
    const boEvents = await joinEvents(stage.events, bo.token);
    assert.equal(anaEvents.first.type, 'joined');
    assert.equal((await anaEvents.next()).type, 'participant-joined');

    await client.send(new DisconnectParticipantCommand({ stageArn: stage.arn, participantId: ana.participantId }));
    assert.deepEqual(await anaEvents.next(), { type: 'left', reason: 'participant-disconnected' });
    assert.deepEqual(await boEvents.next(), { type: 'participant-left', participantId: ana.participantId });

    const again = await joinEvents(stage.events, ana.token);
    assert.equal(again.first.type === 'error' && again.first.code, 'participant-disconnected');
    assert.match((await mediaStatus(stage.whip, ana.token)).text, /disconnected/);
    assert.equal((await mediaStatus(stage.whip, ana.token)).status, 401);
    assert.equal((await mediaStatus(whepUrlFor(stage.whip, bo.participantId), ana.token)).status, 401);
    // Bo was not disconnected: his token still passes (and fails only on the empty offer).
    assert.equal((await mediaStatus(stage.whip, bo.token)).status, 400);
    boEvents.socket.close();
  });

  it('makes everyone leave a deleted stage, and refuses its tokens', async () => {
    const stage = await newStage();
    const ana = await token(stage.arn, 'ana');
    const events = await joinEvents(stage.events, ana.token);
    await client.send(new DeleteStageCommand({ arn: stage.arn }));
    assert.deepEqual(await events.next(), { type: 'left', reason: 'stage-deleted' });
    const again = await joinEvents(stage.events, ana.token);
    assert.equal(again.first.type === 'error' && again.first.code, 'stage-not-found');
    const whip = await mediaStatus(stage.whip, ana.token);
    assert.equal(whip.status, 404);
    assert.match(whip.text, /^stage-not-found/);
  });

  it(`refuses a join past ${MAX_SUBSCRIBERS} participants who do not publish, with stage-at-capacity`, async () => {
    const stage = await newStage();
    const tokens = [];
    const joined = [];
    for (let i = 0; i < MAX_SUBSCRIBERS; i++) {
      tokens.push((await token(stage.arn, `viewer-${i}`)).token);
      const participant = await joinEvents(stage.events, tokens[i]);
      assert.equal(participant.first.type, 'joined');
      joined.push(participant);
    }
    const extra = await joinEvents(stage.events, (await token(stage.arn, 'one-too-many')).token);
    assert.equal(extra.first.type === 'error' && extra.first.code, 'stage-at-capacity');
    await extra.closed;

    // A connection that takes over its own token's place is not one more participant.
    const replacement = await joinEvents(stage.events, tokens[0]);
    assert.equal(replacement.first.type, 'joined');
    await joined[0].closed;

    joined[1].socket.close();
    assert.equal((await joined[2].next()).type, 'participant-left');
    const room = await joinEvents(stage.events, (await token(stage.arn, 'now-there-is-room')).token);
    assert.equal(room.first.type, 'joined');
    for (const participant of [replacement, ...joined.slice(2), room]) participant.socket.close();
  });
});
