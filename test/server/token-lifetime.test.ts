import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateStageCommand, DeletePublicKeyCommand, DisconnectParticipantCommand } from '@aws-sdk/client-ivs-realtime';
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { revocationEnd } from '../../src/server/tokens/token-limits.js';
import { startControlPlane, startServer } from './control-plane-harness.js';
import { joinEvents } from './events-connection.js';
import { type AppSigner, importAppSigner, signAppToken } from './self-signed-tokens.js';

/**
 * A token is checked when a connection starts; these tests show it stays
 * checked while the connection lasts: its expiry and the deletion of its
 * signing key end the events socket and the media sessions it opened.
 */
describe('token lifetime of live sessions', { timeout: 60_000 }, () => {
  let running: Awaited<ReturnType<typeof startServer>>;
  let stage: { arn: string; events: string; whip: string };
  let signer: AppSigner;

  before(async () => {
    running = await startServer();
    const created = (await running.client.send(new CreateStageCommand({ name: 'lifetime' }))).stage!;
    stage = { arn: created.arn!, events: created.endpoints!.events!, whip: created.endpoints!.whip! };
    signer = await importAppSigner(running.client);
  });
  after(() => running.close());

  /** A token the application signs itself; `seconds` until it expires. */
  function sign(jti: string, seconds: number, claims: Record<string, unknown> = {}, key = signer): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return signAppToken(key, stage, { jti, iat: now, exp: now + seconds, ...claims });
  }

  /** Opens a WHIP session (its peer never connects; the session exists until it ends). */
  async function whipSession(token: string): Promise<{ location: string; gone(): Promise<boolean>; close(): Promise<void> }> {
    const pc = new RTCPeerConnection({ iceServers: [], codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })] } });
    pc.addTransceiver('audio', { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const response = await fetch(`${running.server.url}/whip`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/sdp' },
      body: pc.localDescription!.sdp,
    });
    assert.equal(response.status, 201, await response.text());
    const location = response.headers.get('location')!;
    return {
      location,
      // Only the token that opened a session may end it: 404 means it had ended already.
      gone: async () => (await fetch(`${running.server.url}${location}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })).status === 404,
      close: () => pc.close(),
    };
  }

  it('ends the events socket and the WHIP session when the token expires, telling the client why', async () => {
    const watcher = await joinEvents(stage.events, await sign('watcher', 600));
    const token = await sign('short-lived', 3);
    const participant = await joinEvents(stage.events, token);
    assert.equal(participant.first.type, 'joined');
    assert.equal((await watcher.next()).type, 'participant-joined');
    const session = await whipSession(token);
    try {
      const ended = await participant.next();
      assert.equal(ended.type === 'error' && ended.code, 'token-expired');
      assert.equal((await participant.closed)[0], 4001);
      assert.deepEqual(await nextOfType(watcher, 'participant-left'), { type: 'participant-left', participantId: 'short-lived' });
      assert.equal(await session.gone(), true, 'the WHIP session ended with its token');
    } finally {
      await session.close();
      watcher.socket.close();
    }
  });

  it('lets a participant that exchanged its token stay past the old expiry, media sessions included', async () => {
    const participant = await joinEvents(stage.events, await sign('renewed', 3));
    assert.equal(participant.first.type, 'joined');
    const session = await whipSession(await sign('renewed', 3));
    try {
      participant.socket.send(JSON.stringify({ type: 'exchange-token', token: await sign('renewed', 600) }));
      assert.equal((await participant.next()).type, 'token-exchanged');
      await new Promise((resolve) => setTimeout(resolve, 4500));
      assert.equal(participant.socket.readyState, participant.socket.OPEN);
      assert.equal(await session.gone(), false, 'the WHIP session lives on with the new token');
    } finally {
      await session.close();
      participant.socket.close();
    }
  });

  it('ends the sessions of tokens signed by a key when the key is deleted, and no others', async () => {
    const doomed = await importAppSigner(running.client);
    const token = await sign('doomed', 600, {}, doomed);
    const participant = await joinEvents(stage.events, token);
    const bystander = await joinEvents(stage.events, await sign('bystander', 600));
    assert.equal(participant.first.type, 'joined');
    const session = await whipSession(token);
    try {
      await running.client.send(new DeletePublicKeyCommand({ arn: doomed.kid }));
      assert.deepEqual(await nextOfType(participant, 'left'), { type: 'left', reason: 'participant-disconnected' });
      assert.equal(await session.gone(), true);
      assert.equal(bystander.socket.readyState, bystander.socket.OPEN);
    } finally {
      await session.close();
      bystander.socket.close();
    }
  });

  it('refuses self-signed tokens whose claims exceed what CreateParticipantToken would issue', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const [what, claims] of [
      ['a user_id over 128 characters', { user_id: 'u'.repeat(129) }],
      ['attributes over 1 KiB', { attributes: { big: 'a'.repeat(1100) } }],
      ['a lifetime over 14 days', { iat: now, exp: now + 15 * 24 * 3600 }],
      ['an iat in the future', { iat: now + 3600, exp: now + 7200 }],
    ] as const) {
      const refused = await joinEvents(stage.events, await sign(`oversized-${what.length}`, 600, claims));
      assert.equal(refused.first.type === 'error' && refused.first.code, 'token-invalid', what);
    }
  });
});

/** The next message of that type, past presence news of others. */
async function nextOfType(connection: Awaited<ReturnType<typeof joinEvents>>, type: string) {
  for (;;) {
    const message = await connection.next();
    if (message.type === type) return message;
  }
}

describe('revocations outlast the tokens they cover', () => {
  it('keeps a disconnected participant revoked for the longest lifetime a token may have', async () => {
    const harness = await startControlPlane();
    try {
      const { stage } = await harness.client.send(new CreateStageCommand({}));
      const before = Math.floor(Date.now() / 1000);
      await harness.client.send(new DisconnectParticipantCommand({ stageArn: stage!.arn!, participantId: 'gone' }));
      const row = harness.stores.db.get('SELECT expires_at FROM revoked_participants WHERE participant_id = ?', ['gone']) as { expires_at: number };
      // A token can live 14 days from an iat up to a minute ahead: the revocation must last at least that long.
      assert.ok(row.expires_at >= before + 14 * 24 * 3600 + 60, `revoked until ${row.expires_at - before} s from now`);
      assert.ok(row.expires_at <= revocationEnd(Math.floor(Date.now() / 1000)));
    } finally {
      await harness.close();
    }
  });
});
