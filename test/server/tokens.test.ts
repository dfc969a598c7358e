import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { SignJWT, decodeProtectedHeader, exportSPKI, generateKeyPair } from 'jose';
import { type Stores, openStores } from '../../src/server/store/stores.js';
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

async function expectTokenError(promise: Promise<unknown>, code: TokenError['code'], message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof TokenError, String(error));
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe('ParticipantTokens', () => {
  let dataDir: string;
  const opened: Stores[] = [];
  const databasePath = () => join(dataDir, 'stage.sqlite');

  /** Opens the tokens over the database in `dir`, as a server start does. */
  async function openTokens(dir = dataDir): Promise<{ tokens: ParticipantTokens; stores: Stores }> {
    const stores = openStores({ path: join(dir, 'stage.sqlite'), region: 'us-east-1', accountId: '000000000000' });
    opened.push(stores);
    return { tokens: await ParticipantTokens.open(stores.db, stores), stores };
  }

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'stage-tokens-'));
  });
  after(async () => {
    for (const stores of opened) stores.db.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('issues ES384 tokens with the documented claims and a stable kid', async () => {
    const { tokens } = await openTokens();
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

  it('keeps its key across a restart, in a database only the owner can read', async () => {
    const first = (await openTokens()).tokens;
    const { token, claims } = await first.issue(input);
    const second = (await openTokens()).tokens;
    assert.deepEqual(asJson(await second.verify(token)), claims);
    const { mode } = await stat(databasePath());
    assert.equal(mode & 0o777, 0o600);
  });

  it('rejects an expired token with code "expired"', async (t) => {
    const { tokens } = await openTokens();
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    t.after(() => mock.timers.reset());
    const { token } = await tokens.issue({ ...input, durationMinutes: 1 });
    mock.timers.tick(2 * 60 * 1000);
    await expectTokenError(tokens.verify(token), 'expired');
  });

  it('rejects tampered, foreign, unsigned and malformed tokens with code "invalid"', async () => {
    const { tokens } = await openTokens();
    const { token } = await tokens.issue(input);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, capabilities: { allow_publish: true, allow_subscribe: true } })).toString('base64url');
    await expectTokenError(tokens.verify(`${header}.${forged}.${signature}`), 'invalid');

    // Refused by the ES384 pinning itself, before any key is chosen: not merely because no key happens to fit.
    const pinned = /"alg" \(Algorithm\) Header Parameter value not allowed/;
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    await expectTokenError(tokens.verify(`${none}.${payload}.`), 'invalid', pinned);
    const kid = JSON.parse(Buffer.from(header, 'base64url').toString()).kid;
    const es256 = await generateKeyPair('ES256');
    const otherCurve = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid }).sign(es256.privateKey);
    await expectTokenError(tokens.verify(otherCurve), 'invalid', pinned);
    const hmac = await new SignJWT(claims).setProtectedHeader({ alg: 'HS384', typ: 'JWT', kid }).sign(new TextEncoder().encode('k'.repeat(48)));
    await expectTokenError(tokens.verify(hmac), 'invalid', pinned);

    const otherDir = await mkdtemp(join(tmpdir(), 'stage-tokens-other-'));
    try {
      const foreign = await (await openTokens(otherDir)).tokens.issue(input);
      await expectTokenError(tokens.verify(foreign.token), 'invalid', /unknown key/);
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }

    await expectTokenError(tokens.verify('not-a-jwt'), 'invalid');
    await expectTokenError(tokens.verify(42 as unknown as string), 'invalid');
  });

  it('refuses every token of a revoked participant', async () => {
    const { tokens, stores } = await openTokens();
    const { token, claims } = await tokens.issue({ ...input, participantId: 'revoked-one' });
    const other = await tokens.issue({ ...input, participantId: 'still-fine' });
    stores.revocations.revoke(input.stageArn, claims.jti, claims.exp);
    await expectTokenError(tokens.verify(token), 'revoked', /disconnected/);
    await expectTokenError(tokens.verify((await tokens.issue({ ...input, participantId: 'revoked-one' })).token), 'revoked');
    assert.equal((await tokens.verify(other.token)).jti, 'still-fine');
  });

  it('accepts tokens signed with an imported P-384 key until the key is deleted', async () => {
    const { tokens, stores } = await openTokens();
    const { privateKey, publicKey } = await generateKeyPair('ES384', { extractable: true });
    const key = stores.publicKeys.create({ material: await exportSPKI(publicKey), fingerprint: 'test-fingerprint' })!;
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      jti: 'self-signed',
      resource: input.stageArn,
      topic: input.stageId,
      events_url: input.eventsUrl,
      whip_url: input.whipUrl,
      capabilities: { allow_publish: true, allow_subscribe: true },
      version: '1.0',
      attributes: {},
    };
    const sign = (body: object, kid = key.arn) =>
      new SignJWT({ ...body }).setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid }).setIssuedAt(now).setExpirationTime(now + 60).sign(privateKey);

    assert.equal((await tokens.verify(await sign(claims))).jti, 'self-signed');
    await expectTokenError(tokens.verify(await sign({ ...claims, topic: 'OtherStage12' })), 'invalid', /topic/);
    await expectTokenError(tokens.verify(await sign(claims, `${key.arn}x`)), 'invalid', /unknown key/);

    stores.publicKeys.delete(key.arn);
    await expectTokenError(tokens.verify(await sign(claims)), 'invalid', /unknown key/);
  });
});
