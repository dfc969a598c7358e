import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/server/config.js';
import { startServer } from './control-plane-harness.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A GET with exactly these headers (fetch would not let us set Host). */
function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('/dev/token is opt-in and only for development on loopback', () => {
  const devEnv = { STAGE_DEV: '1', STAGE_DEV_TOKENS: '1' };

  it('is refused at start with credentials configured, outside development, off loopback, or behind a public URL', () => {
    const refusals: [Record<string, string>, RegExp][] = [
      [{ STAGE_ACCESS_KEY_ID: 'KEY', STAGE_SECRET_ACCESS_KEY: 'secret' }, /configured credentials/],
      [{ STAGE_DEV: '0', STAGE_ACCESS_KEY_ID: 'KEY', STAGE_SECRET_ACCESS_KEY: 'secret' }, /development mode/],
      [{ STAGE_PUBLIC_URL: 'https://stage.example.com' }, /STAGE_PUBLIC_URL/],
      [{ STAGE_DEV_TOKENS: 'yes' }, /1\/0 or true\/false/],
    ];
    for (const [env, message] of refusals) {
      assert.throws(() => loadConfig({ ...devEnv, ...env }), (error: Error) => error instanceof ConfigError && message.test(error.message), JSON.stringify(env));
    }
    const production = { NODE_ENV: 'production', STAGE_DEV_TOKENS: '1', STAGE_ACCESS_KEY_ID: 'KEY', STAGE_SECRET_ACCESS_KEY: 'secret' };
    assert.throws(() => loadConfig(production), /development mode/);
    assert.equal(loadConfig({ STAGE_DEV: '1' }).devTokens, false, 'development mode alone does not mint tokens');
    assert.equal(loadConfig({ ...devEnv, STAGE_PUBLIC_URL: 'http://localhost:7070' }).devTokens, true);
  });

  it('does not exist unless asked for', async () => {
    const running = await startServer({ STAGE_DEV_TOKENS: '0' });
    try {
      assert.equal(running.server.devTokens, false);
      assert.equal((await get(`${running.server.url}/dev/token?stage=closed`)).status, 404);
    } finally {
      await running.close();
    }
  });

  describe('on a development server', () => {
    let running: Awaited<ReturnType<typeof startServer>>;
    let url: string;

    before(async () => {
      running = await startServer();
      url = `${running.server.url}/dev/token?stage=dev-guarded`;
    });
    after(() => running.close());

    it('serves the server\'s own pages, with no CORS header, and loopback pages, with their origin echoed', async () => {
      const own = await get(url);
      assert.equal(own.status, 200, own.body);
      assert.ok(JSON.parse(own.body).token);
      assert.equal(own.headers['access-control-allow-origin'], undefined);
      const local = await get(url, { origin: 'http://localhost:8000' });
      assert.equal(local.status, 200, local.body);
      assert.equal(local.headers['access-control-allow-origin'], 'http://localhost:8000');
      assert.equal(local.headers.vary, 'origin');
    });

    it('refuses a page from another origin, a rebound DNS name and a request relayed by a proxy', async () => {
      const refused: [Record<string, string>, RegExp][] = [
        [{ origin: 'https://evil.example' }, /pages from https:\/\/evil.example/],
        [{ origin: 'null' }, /pages from null/],
        [{ host: 'evil.example:7070' }, /loopback Host/],
        [{ host: 'evil.example@127.0.0.1' }, /loopback Host/],
        [{ 'x-forwarded-for': '203.0.113.9' }, /x-forwarded-for/],
        [{ forwarded: 'for=203.0.113.9' }, /forwarded/],
        [{ 'x-real-ip': '203.0.113.9' }, /x-real-ip/],
      ];
      for (const [headers, message] of refused) {
        const answer = await get(url, headers);
        assert.equal(answer.status, 403, JSON.stringify(headers));
        assert.match(answer.body, message);
        assert.doesNotMatch(answer.body, /eyJ/, 'no token in a refusal');
        assert.equal(answer.headers['access-control-allow-origin'], undefined, 'a foreign page cannot even read the refusal');
      }
    });
  });
});
