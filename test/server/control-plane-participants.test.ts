import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateParticipantTokenCommand,
  CreateStageCommand,
  DisconnectParticipantCommand,
  GetParticipantCommand,
  GetStageCommand,
  GetStageSessionCommand,
  ListParticipantsCommand,
  ListStageSessionsCommand,
  type ParticipantToken,
} from '@aws-sdk/client-ivs-realtime';
import type { ServerLeaveReason } from '../../src/protocol/index.js';
import type { ParticipantConnection } from '../../src/server/live/live-stages.js';
import { ARN_PREFIX, type ControlPlaneHarness, expectApiError, startControlPlane } from './control-plane-harness.js';

describe('control plane: participants and sessions', () => {
  let harness: ControlPlaneHarness;
  before(async () => {
    harness = await startControlPlane();
  });
  after(() => harness.close());

  /** A participant connected to the presence registry with `token`, remembering why it was made to leave. */
  async function connect(token: ParticipantToken) {
    const claims = await harness.tokens.verify(token.token!);
    const ended: ServerLeaveReason[] = [];
    const connection: ParticipantConnection = { send: () => {}, end: (reason) => ended.push(reason) };
    harness.live.join(claims, connection);
    return { claims, ended, leave: () => harness.live.leave(claims.topic, claims.jti, connection) };
  }

  async function newStage() {
    const { client } = harness;
    const { stage } = await client.send(new CreateStageCommand({ name: 'sessions' }));
    const stageArn = stage!.arn!;
    const token = async (userId: string, extra: Partial<ParticipantToken> = {}) =>
      (await client.send(new CreateParticipantTokenCommand({ stageArn, userId, ...extra }))).participantToken!;
    return { stageArn, token };
  }

  it('starts a session on the first join, lists its participants, and ends it when the last one leaves', async () => {
    const { client } = harness;
    const { stageArn, token } = await newStage();
    assert.deepEqual((await client.send(new ListStageSessionsCommand({ stageArn }))).stageSessions, []);
    assert.equal((await client.send(new GetStageCommand({ arn: stageArn }))).stage?.activeSessionId, undefined);

    const ana = await connect(await token('ana', { attributes: { seat: '1' } }));
    const bo = await connect(await token('bo', { capabilities: ['SUBSCRIBE'] }));
    harness.live.setPublished(ana.claims, ['audio', 'video']);

    const sessionId = (await client.send(new GetStageCommand({ arn: stageArn }))).stage?.activeSessionId;
    assert.match(sessionId ?? '', /^st-[A-Za-z0-9]+$/);
    const { stageSessions } = await client.send(new ListStageSessionsCommand({ stageArn }));
    assert.equal(stageSessions?.length, 1);
    assert.equal(stageSessions[0].sessionId, sessionId);
    assert.ok(stageSessions[0].startTime instanceof Date);
    assert.equal(stageSessions[0].endTime, undefined);

    const { participants } = await client.send(new ListParticipantsCommand({ stageArn, sessionId }));
    assert.deepEqual(
      participants?.map((p) => [p.participantId, p.userId, p.state, p.published]),
      [
        [ana.claims.jti, 'ana', 'CONNECTED', true],
        [bo.claims.jti, 'bo', 'CONNECTED', false],
      ],
    );
    assert.ok(participants.every((p) => p.firstJoinTime instanceof Date));

    const { participant } = await client.send(new GetParticipantCommand({ stageArn, sessionId, participantId: ana.claims.jti }));
    assert.deepEqual(participant?.attributes, { seat: '1' });
    assert.equal(participant?.state, 'CONNECTED');
    assert.equal(participant?.published, true);

    ana.leave();
    assert.equal((await client.send(new GetParticipantCommand({ stageArn, sessionId, participantId: ana.claims.jti }))).participant?.state, 'DISCONNECTED');
    assert.equal((await client.send(new GetStageSessionCommand({ stageArn, sessionId }))).stageSession?.endTime, undefined);
    bo.leave();
    const ended = (await client.send(new GetStageSessionCommand({ stageArn, sessionId }))).stageSession;
    assert.ok(ended?.endTime instanceof Date && ended.startTime instanceof Date);
    assert.ok(ended.endTime >= ended.startTime);
    assert.equal((await client.send(new GetStageCommand({ arn: stageArn }))).stage?.activeSessionId, undefined);

    // The same participant joining again opens a new session; sessions list newest first.
    const again = await connect(await token('ana'));
    const second = (await client.send(new GetStageCommand({ arn: stageArn }))).stage?.activeSessionId;
    assert.notEqual(second, sessionId);
    const firstPage = await client.send(new ListStageSessionsCommand({ stageArn, maxResults: 1 }));
    assert.deepEqual(firstPage.stageSessions?.map((s) => s.sessionId), [second]);
    const secondPage = await client.send(new ListStageSessionsCommand({ stageArn, maxResults: 1, nextToken: firstPage.nextToken }));
    assert.deepEqual(secondPage.stageSessions?.map((s) => s.sessionId), [sessionId]);
    assert.equal(secondPage.nextToken, undefined);
    again.leave();
  });

  it('filters participants by user id, published or state, one filter at a time', async () => {
    const { client } = harness;
    const { stageArn, token } = await newStage();
    const ana = await connect(await token('ana'));
    const bo = await connect(await token('bo'));
    const cy = await connect(await token('cy'));
    harness.live.setPublished(bo.claims, ['audio']);
    cy.leave();
    const sessionId = (await client.send(new GetStageCommand({ arn: stageArn }))).stage!.activeSessionId!;
    const ids = async (filter: Partial<ConstructorParameters<typeof ListParticipantsCommand>[0]>) =>
      (await client.send(new ListParticipantsCommand({ stageArn, sessionId, ...filter }))).participants?.map((p) => p.userId);

    assert.deepEqual(await ids({}), ['ana', 'bo', 'cy']);
    assert.deepEqual(await ids({ filterByUserId: 'bo' }), ['bo']);
    assert.deepEqual(await ids({ filterByPublished: true }), ['bo']);
    assert.deepEqual(await ids({ filterByPublished: false }), ['ana', 'cy']);
    assert.deepEqual(await ids({ filterByState: 'DISCONNECTED' }), ['cy']);
    assert.deepEqual(await ids({ filterByState: 'CONNECTED' }), ['ana', 'bo']);
    assert.deepEqual(await ids({ maxResults: 2 }), ['ana', 'bo']);
    await expectApiError(client.send(new ListParticipantsCommand({ stageArn, sessionId, filterByUserId: 'ana', filterByPublished: true })), 'ValidationException', /at most one/);
    ana.leave();
    bo.leave();
  });

  it('disconnects a participant, whose token can never join again', async () => {
    const { client } = harness;
    const { stageArn, token } = await newStage();
    const issued = await token('ana');
    const ana = await connect(issued);
    const bo = await connect(await token('bo'));
    const sessionId = (await client.send(new GetStageCommand({ arn: stageArn }))).stage!.activeSessionId!;

    await client.send(new DisconnectParticipantCommand({ stageArn, participantId: ana.claims.jti, reason: 'rude' }));
    assert.deepEqual(ana.ended, ['participant-disconnected']);
    assert.deepEqual(bo.ended, []);
    assert.equal(harness.live.get(ana.claims.topic, ana.claims.jti), undefined);
    assert.equal((await client.send(new GetParticipantCommand({ stageArn, sessionId, participantId: ana.claims.jti }))).participant?.state, 'DISCONNECTED');
    await assert.rejects(harness.tokens.verify(issued.token!), /disconnected/);

    // A token not used yet can be revoked too.
    const unused = await token('cy');
    await client.send(new DisconnectParticipantCommand({ stageArn, participantId: unused.participantId }));
    await assert.rejects(harness.tokens.verify(unused.token!), /disconnected/);
    // Media sessions go too, also those of a participant that only watches over WHEP and never joined the events channel.
    const stageId = stageArn.slice(ARN_PREFIX.length);
    assert.deepEqual(harness.closedMedia.slice(-2), [
      [stageId, ana.claims.jti],
      [stageId, unused.participantId],
    ]);
    bo.leave();
  });

  it('answers ResourceNotFoundException and ValidationException as IVS does', async () => {
    const { client } = harness;
    const { stageArn } = await newStage();
    const missingStage = `${ARN_PREFIX}NoSuchStage1`;
    await expectApiError(client.send(new ListStageSessionsCommand({ stageArn: missingStage })), 'ResourceNotFoundException', /NoSuchStage1/);
    await expectApiError(client.send(new GetStageSessionCommand({ stageArn, sessionId: 'st-NoSuchSession' })), 'ResourceNotFoundException');
    await expectApiError(client.send(new ListParticipantsCommand({ stageArn, sessionId: 'st-NoSuchSession' })), 'ResourceNotFoundException');
    await expectApiError(client.send(new DisconnectParticipantCommand({ stageArn: missingStage, participantId: 'abc' })), 'ResourceNotFoundException');
    await expectApiError(client.send(new GetStageSessionCommand({ stageArn, sessionId: 'not-a-session' })), 'ValidationException', /sessionId/);
    await expectApiError(client.send(new DisconnectParticipantCommand({ stageArn, participantId: 'has spaces' })), 'ValidationException', /participantId/);
    await expectApiError(
      client.send(new ListParticipantsCommand({ stageArn, sessionId: 'st-NoSuchSession', filterByState: 'GONE' as 'CONNECTED' })),
      'ValidationException',
      /filterByState/,
    );
  });
});

