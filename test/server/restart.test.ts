import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateParticipantTokenCommand,
  CreateStageCommand,
  DisconnectParticipantCommand,
  GetStageCommand,
  GetStageSessionCommand,
  IVSRealTimeClient,
  ListParticipantsCommand,
} from '@aws-sdk/client-ivs-realtime';
import { joinEvents } from './events-connection.js';
import { SOURCE_SERVER, startServerProcess } from '../helpers/node/stage-server-process.mjs';

const CREDENTIALS = { accessKeyId: 'RESTARTKEY', secretAccessKey: 'restart-secret' };

/** A port that was free a moment ago: tokens name the server's URL, so every run must listen on the same one. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('a server restart loses nothing', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let running: Awaited<ReturnType<typeof startServerProcess>> | undefined;
  let client: IVSRealTimeClient | undefined;

  /** Stops the running server process (if any) and starts another on the same data folder and port. */
  async function restart(): Promise<IVSRealTimeClient> {
    client?.destroy();
    await running?.stop();
    running = await startServerProcess(SOURCE_SERVER, env);
    client = new IVSRealTimeClient({ endpoint: running.url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
    return client;
  }

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'stage-restart-'));
    env = {
      PORT: String(await freePort()),
      STAGE_DATA_DIR: dataDir,
      STAGE_DEV: '0',
      STAGE_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      STAGE_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    };
  });
  after(async () => {
    client?.destroy();
    await running?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps stages, tokens, revocations, sessions and participants', async () => {
    let ivs = await restart();
    const { stage } = await ivs.send(new CreateStageCommand({ name: 'kept', tags: { team: 'video' } }));
    const stageArn = stage!.arn!;
    const issue = async (userId: string) => (await ivs.send(new CreateParticipantTokenCommand({ stageArn, userId }))).participantToken!;
    const ana = await issue('ana');
    const bo = await issue('bo');
    const revoked = await issue('cy');
    await ivs.send(new DisconnectParticipantCommand({ stageArn, participantId: revoked.participantId }));

    // Tokens issued before the restart join after it; the revoked one still does not.
    ivs = await restart();
    assert.deepEqual((await ivs.send(new GetStageCommand({ arn: stageArn }))).stage?.tags, { team: 'video' });
    const anaEvents = await joinEvents(stage!.endpoints!.events!, ana.token!);
    const boEvents = await joinEvents(stage!.endpoints!.events!, bo.token!);
    assert.equal(anaEvents.first.type, 'joined');
    assert.equal(boEvents.first.type, 'joined');
    const refused = await joinEvents(stage!.endpoints!.events!, revoked.token!);
    assert.equal(refused.first.type === 'error' && refused.first.code, 'participant-disconnected');

    const sessionId = (await ivs.send(new GetStageCommand({ arn: stageArn }))).stage?.activeSessionId;
    assert.ok(sessionId);
    const before = (await ivs.send(new ListParticipantsCommand({ stageArn, sessionId }))).participants;
    assert.deepEqual(before?.map((p) => [p.userId, p.state]), [['ana', 'CONNECTED'], ['bo', 'CONNECTED']]);

    // The restart disconnects everyone: the history stays, the session is over.
    ivs = await restart();
    const afterRestart = (await ivs.send(new ListParticipantsCommand({ stageArn, sessionId }))).participants;
    assert.deepEqual(afterRestart?.map((p) => [p.participantId, p.userId, p.state, p.firstJoinTime?.getTime()]), before.map((p) => [p.participantId, p.userId, 'DISCONNECTED', p.firstJoinTime?.getTime()]));
    assert.ok((await ivs.send(new GetStageSessionCommand({ stageArn, sessionId }))).stageSession?.endTime instanceof Date);
    assert.equal((await ivs.send(new GetStageCommand({ arn: stageArn }))).stage?.activeSessionId, undefined);
  });
});
