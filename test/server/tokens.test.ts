import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { ParticipantTokens, TokenError, type IssueTokenInput } from '../../src/server/tokens/participant-tokens.js';

const input: IssueTokenInput = {
  stageArn: 'arn:aws:ivs:us-east-1:000000000000:stage/AbCdEfGhIjKl',
  stageId: 'AbCdEfGhIjKl',
  capabilities: { publish: true, subscribe: false },
  durationMinutes: 5,
  eventsUrl: 'ws://127.0.0.1:7070/events',
  whipUrl: 'http://127.0.0.1:7070/whip',
};

/** parseTokenClaims spells out absent optional claims as undefined; compare what a JWT can carry. */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value));

async function expectTokenError(promise: Promise<unknown>, code: TokenError['code']): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof TokenError && error.code === code);
}

describe('ParticipantTokens', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'stage-tokens-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('issues ES384 tokens with the documented claims and a stable kid', async () => {
    const tokens = await ParticipantTokens.open(dataDir);
    const { token, claims } = await tokens.issue({ ...input, userId: 'alice', attributes: { role: 'host' } });
    const header = decodeProtectedHeader(token);
    assert.equal(header.alg, 'ES384');
    assert.equal(header.typ, 'JWT');
    assert.ok(header.kid);
    assert.match(claims.jti, /^[A-Za-z0-9]{12,16}$/);
    assert.equal(claims.exp - claims.iat, 5 * 60);
    assert.deepEqual(asJson(await tokens.verify(token)), claims);
    assert.equal(claims.user_id, 'alice');
    assert.deepEqual(claims.attributes, { role: 'host' });

    const anonymous = (await tokens.issue({ ...input, participantId: 'given-id' })).claims;
    assert.equal(anonymous.jti, 'given-id');
    assert.equal('user_id' in anonymous, false);
    assert.deepEqual(anonymous.attributes, {});
  });

  it('keeps its key across a restart, in a file only the owner can read', async () => {
    const first = await ParticipantTokens.open(dataDir);
    const { token, claims } = await first.issue(input);
    const second = await ParticipantTokens.open(dataDir);
    assert.deepEqual(asJson(await second.verify(token)), claims);
    const { mode } = await stat(join(dataDir, 'participant-token-key.json'));
    assert.equal(mode & 0o777, 0o600);
  });

  it('rejects an expired token with code "expired"', async (t) => {
    const tokens = await ParticipantTokens.open(dataDir);
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    t.after(() => mock.timers.reset());
    const { token } = await tokens.issue({ ...input, durationMinutes: 1 });
    mock.timers.tick(2 * 60 * 1000);
    await expectTokenError(tokens.verify(token), 'expired');
  });

  it('rejects tampered, foreign and malformed tokens with code "invalid"', async () => {
    const tokens = await ParticipantTokens.open(dataDir);
    const { token } = await tokens.issue(input);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, capabilities: { allow_publish: true, allow_subscribe: true } })).toString('base64url');
    await expectTokenError(tokens.verify(`${header}.${forged}.${signature}`), 'invalid');

    const otherDir = await mkdtemp(join(tmpdir(), 'stage-tokens-other-'));
    try {
      const foreign = await (await ParticipantTokens.open(otherDir)).issue(input);
      await expectTokenError(tokens.verify(foreign.token), 'invalid');
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }

    await expectTokenError(tokens.verify('not-a-jwt'), 'invalid');
    await expectTokenError(tokens.verify(42 as unknown as string), 'invalid');
  });
});
