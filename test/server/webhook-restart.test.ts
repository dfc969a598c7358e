import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CreateParticipantTokenCommand,
  CreateStageCommand,
  GetStageCommand,
  IVSRealTimeClient,
  ListParticipantsCommand,
  ListPublicKeysCommand,
  ListStageSessionsCommand,
  ListStagesCommand,
} from '@aws-sdk/client-ivs-realtime';
import { SOURCE_SERVER, startServerProcess } from '../helpers/node/stage-server-process.mjs';
import { joinEvents } from './events-connection.js';
import { importAppSigner } from './self-signed-tokens.js';
import { SECRET, startReceiver } from './webhook-receiver.js';

const CREDENTIALS = { accessKeyId: 'CRASHKEY', secretAccessKey: 'crash-secret' };

describe('the webhook queue survives a crash', { timeout: 60_000 }, () => {
  it('delivers, after a SIGKILL and a restart, the events a dead receiver did not take, and keeps everything else', async () => {
    // Until `up`, the receiver takes each request and never answers it.
    let up = false;
    const receiver = await startReceiver([], (res, status) => up && res.writeHead(status).end());
    const dataDir = await mkdtemp(join(tmpdir(), 'stage-webhook-crash-'));
    const env = {
      STAGE_DATA_DIR: dataDir,
      STAGE_DEV: '0',
      STAGE_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      STAGE_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      STAGE_WEBHOOK_URL: receiver.url,
      STAGE_WEBHOOK_SECRET: SECRET,
    };
    let server = await startServerProcess(SOURCE_SERVER, env);
    let ivs = new IVSRealTimeClient({ endpoint: server.url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
    /** What ListStages, ListPublicKeys, ListStageSessions and ListParticipants say about `stageArn`. */
    const state = async (stageArn: string) => {
      const { stageSessions } = await ivs.send(new ListStageSessionsCommand({ stageArn }));
      const sessionId = stageSessions?.[0]?.sessionId;
      return {
        stages: (await ivs.send(new ListStagesCommand({}))).stages?.map((s) => [s.arn, s.name]),
        keys: (await ivs.send(new ListPublicKeysCommand({}))).publicKeys?.map((k) => k.arn),
        sessions: stageSessions?.map((s) => [s.sessionId, s.startTime?.getTime(), s.endTime !== undefined]),
        participants: (await ivs.send(new ListParticipantsCommand({ stageArn, sessionId }))).participants?.map((p) => [p.participantId, p.userId, p.state, p.firstJoinTime?.getTime()]),
      };
    };
    try {
      const { stage } = await ivs.send(new CreateStageCommand({ name: 'crashed' }));
      const stageArn = stage!.arn!;
      await importAppSigner(ivs);
      const { participantToken } = await ivs.send(new CreateParticipantTokenCommand({ stageArn, userId: 'ana' }));
      const joined = await joinEvents(stage!.endpoints!.events!, participantToken!.token!);
      assert.equal(joined.first.type, 'joined');
      // Session Created is being tried; Participant Joined waits behind it. The server answers meanwhile.
      await receiver.until(1);
      const sessionId = (await ivs.send(new GetStageCommand({ arn: stageArn }))).stage?.activeSessionId;
      assert.ok(sessionId);
      const before = await state(stageArn);
      assert.deepEqual(before.participants, [[participantToken!.participantId, 'ana', 'CONNECTED', before.participants?.[0][3]]]);

      await server.kill();
      joined.socket.terminate();
      up = true;
      server = await startServerProcess(SOURCE_SERVER, env);
      ivs.destroy();
      ivs = new IVSRealTimeClient({ endpoint: server.url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });

      // What the dead receiver never answered comes first, with the same id; then what the restart ended.
      await receiver.until(5);
      const delivered = receiver.received.slice(1);
      assert.equal(delivered[0].eventId, receiver.received[0].eventId);
      assert.deepEqual(
        delivered.map((r) => [r.eventId, r.event.detail.event_name, r.event.detail.session_id, r.event.detail.participant_id]),
        [
          [receiver.received[0].event.id, 'Session Created', sessionId, undefined],
          [delivered[1].event.id, 'Participant Joined', sessionId, participantToken!.participantId],
          [delivered[2].event.id, 'Participant Left', sessionId, participantToken!.participantId],
          [delivered[3].event.id, 'Session Ended', sessionId, undefined],
        ],
      );
      assert.equal(new Set(delivered.map((r) => r.eventId)).size, 4);

      // The crash lost nothing else: the session is over, its participant disconnected.
      assert.deepEqual(await state(stageArn), {
        ...before,
        sessions: before.sessions?.map(([id, start]) => [id, start, true]),
        participants: before.participants?.map(([id, userId, , firstJoin]) => [id, userId, 'DISCONNECTED', firstJoin]),
      });
      assert.equal(before.sessions?.length, 1);
      assert.equal(before.keys?.length, 1);
    } finally {
      ivs.destroy();
      await server.stop();
      await receiver.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
