import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateStageCommand, IVSRealTimeClient, ListStagesCommand, TagResourceCommand } from '@aws-sdk/client-ivs-realtime';
import { SOURCE_SERVER, type StageServerProcess, startServerProcess } from '../helpers/node/stage-server-process.mjs';
import { Database } from '../../src/server/store/database.js';

const CREDENTIALS = { accessKeyId: 'CRASHKEY', secretAccessKey: 'crash-secret' };

/**
 * SIGKILL while the control plane writes as fast as it can: what the client
 * was told succeeded is there after the restart, and the database file is
 * intact. No stage is half written (a stage without its tags, say).
 */
describe('a crash in the middle of control-plane writes', { timeout: 120_000 }, () => {
  let server: StageServerProcess;
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'stage-crash-'));
    server = await startServerProcess(SOURCE_SERVER, {
      STAGE_DATA_DIR: dataDir,
      STAGE_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      STAGE_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      STAGE_CONTROL_RATE: '100000',
      STAGE_CONTROL_BURST: '100000',
    });
  });
  after(async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const clientFor = (url: string) => new IVSRealTimeClient({ endpoint: url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });

  it('keeps every write it acknowledged, and nothing half written', async () => {
    const client = clientFor(server.url);
    const acknowledged: string[] = [];
    let killed = false;
    const writer = async (lane: number) => {
      for (let i = 0; !killed; i++) {
        try {
          const { stage } = await client.send(new CreateStageCommand({ name: `crash-${lane}-${i}`, tags: { lane: String(lane), seq: String(i) } }));
          await client.send(new TagResourceCommand({ resourceArn: stage!.arn!, tags: { second: 'write' } }));
          acknowledged.push(stage!.arn!);
        } catch {
          return;
        }
      }
    };
    let running = 4;
    const lanes = [0, 1, 2, 3].map((lane) => writer(lane).finally(() => running--));
    while (acknowledged.length < 40 && running > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(acknowledged.length >= 40, 'the writers stopped before the crash');
    killed = true;
    await server.kill('SIGKILL');
    await Promise.all(lanes);
    client.destroy();

    await server.restart();
    const after = clientFor(server.url);
    const stages = [];
    for (let nextToken: string | undefined; ; ) {
      const page = await after.send(new ListStagesCommand({ maxResults: 100, nextToken }));
      stages.push(...page.stages!);
      nextToken = page.nextToken;
      if (!nextToken) break;
    }
    after.destroy();
    const present = new Set(stages.map((stage) => stage.arn));
    assert.deepEqual(acknowledged.filter((arn) => !present.has(arn)), [], 'acknowledged stages are missing');
    for (const stage of stages) assert.ok(stage.tags?.lane !== undefined && stage.tags.seq !== undefined, `${stage.arn} lost the tags it was created with`);

    await server.kill('SIGKILL');
    const db = Database.open(join(dataDir, 'stage.sqlite'));
    try {
      assert.deepEqual(db.all('PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
    } finally {
      db.close();
    }
  });
});
