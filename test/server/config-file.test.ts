import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/server/config.js';

describe('configuration file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stage-config-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function file(name: string, content: unknown): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  }

  it('reads every setting from the file, paths relative to it, and lets a set variable win', async () => {
    const path = await file('stage.json', {
      host: '0.0.0.0',
      port: 8443,
      publicUrl: 'https://stage.example.com',
      region: 'eu-west-1',
      accountId: '123456789012',
      accessKeyId: 'FILEKEY',
      secretAccessKey: 'file-secret',
      dataDir: 'data',
      database: 'db/stage.sqlite',
      dev: false,
      maxSubscribers: 50,
      controlRate: 5,
      connectRate: 2,
      connectBurst: 3,
      webhookUrl: 'https://backend.example.com/ivs',
      webhookSecret: 'sixteen-characters!',
    });
    const config = loadConfig({ STAGE_CONFIG: path });
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.port, 8443);
    assert.equal(config.publicUrl, 'https://stage.example.com');
    assert.equal(config.region, 'eu-west-1');
    assert.equal(config.accountId, '123456789012');
    assert.deepEqual(config.credentials, { accessKeyId: 'FILEKEY', secretAccessKey: 'file-secret' });
    assert.equal(config.dataDir, join(dir, 'data'));
    assert.equal(config.databasePath, join(dir, 'db/stage.sqlite'));
    assert.equal(config.dev, false);
    assert.equal(config.maxSubscribers, 50);
    assert.deepEqual(config.rateLimits, { controlPlane: { perSecond: 5, burst: 10 }, connections: { perSecond: 2, burst: 3 } });
    assert.deepEqual(config.webhook, { url: 'https://backend.example.com/ivs', secret: 'sixteen-characters!' });

    const overridden = loadConfig({ STAGE_CONFIG: path, PORT: '9000', STAGE_MAX_SUBSCRIBERS: '7' });
    assert.equal(overridden.port, 9000);
    assert.equal(overridden.maxSubscribers, 7);
    assert.equal(overridden.host, '0.0.0.0');
  });

  it('refuses an unknown setting, a bad value, broken JSON and a missing file, saying what is wrong', async () => {
    const cases: [string, RegExp][] = [
      [await file('typo.json', { prot: 1 }), /unknown setting "prot"/],
      [await file('nested.json', { host: { name: 'x' } }), /host must be a string/],
      [await file('broken.json', '{ "host": '), /not valid JSON/],
      [await file('array.json', []), /JSON object/],
      [await file('bad-port.json', { port: 'eighty' }), /PORT/],
      [join(dir, 'missing.json'), /cannot read/],
    ];
    for (const [path, message] of cases) assert.throws(() => loadConfig({ STAGE_CONFIG: path }), (error: Error) => error instanceof ConfigError && message.test(error.message));
  });

  it('refuses to listen on a non-loopback address without configured credentials', async () => {
    const path = await file('open.json', { host: '0.0.0.0', dev: true });
    assert.throws(() => loadConfig({ STAGE_CONFIG: path }), /refusing to listen on 0\.0\.0\.0/);
    assert.throws(() => loadConfig({ STAGE_CONFIG: path, STAGE_DEV: '0' }), /required outside development mode/);
  });
});
