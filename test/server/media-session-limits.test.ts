import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateParticipantTokenCommand, CreateStageCommand } from '@aws-sdk/client-ivs-realtime';
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { startServer } from './control-plane-harness.js';
import { joinEvents } from './events-connection.js';

const MAX_SUBSCRIBERS = 2;

/**
 * One token trying to hold many peer connections at once, against a real
 * server: WHEP keeps one session per (subscriber, publisher), WHIP one per
 * publisher and its replacement, and WHEP-only subscribers count against
 * STAGE_MAX_SUBSCRIBERS as joined ones do.
 */
describe('media sessions per token', { timeout: 60_000 }, () => {
  let running: Awaited<ReturnType<typeof startServer>>;
  let stage: { arn: string; whip: string; events: string };
  let publisher: { token: string; id: string; pc: RTCPeerConnection };

  const token = async () => {
    const { participantToken } = await running.client.send(new CreateParticipantTokenCommand({ stageArn: stage.arn }));
    return { token: participantToken!.token!, id: participantToken!.participantId! };
  };

  const post = async (path: string, bearer: string, sdp: string) => {
    const response = await fetch(`${running.server.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/sdp' },
      body: sdp,
    });
    return { status: response.status, text: await response.text(), location: response.headers.get('location') };
  };

  /** Which of the session URLs still name a live session: DELETE ends those (200), the others are gone (404). */
  const liveSessions = async (locations: string[], bearer: string) => {
    const statuses = await Promise.all(
      locations.map(async (location) => (await fetch(`${running.server.url}${location}`, { method: 'DELETE', headers: { authorization: `Bearer ${bearer}` } })).status),
    );
    assert.ok(statuses.every((status) => status === 200 || status === 404), statuses.join(' '));
    return statuses.filter((status) => status === 200).length;
  };

  before(async () => {
    running = await startServer({ STAGE_MAX_SUBSCRIBERS: String(MAX_SUBSCRIBERS), STAGE_CONNECT_RATE: '10000', STAGE_CONNECT_BURST: '10000' });
    const created = (await running.client.send(new CreateStageCommand({ name: 'sessions' }))).stage!;
    stage = { arn: created.arn!, whip: created.endpoints!.whip!, events: created.endpoints!.events! };
    const { token: publisherToken, id } = await token();
    const pc = new RTCPeerConnection({ iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false, bundlePolicy: 'max-bundle', codecs: OPUS });
    pc.addTransceiver('audio', { direction: 'sendonly' });
    const answered = await post('/whip', publisherToken, await offerOf(pc));
    assert.equal(answered.status, 201, answered.text);
    await pc.setRemoteDescription({ type: 'answer', sdp: answered.text });
    publisher = { token: publisherToken, id, pc };
    await until('the publisher is published', async () => (await post(`/whep/${id}`, publisherToken, 'v=0')).status !== 404);
  });
  after(async () => {
    await publisher?.pc.close();
    await running.close();
  });

  it('keeps one WHEP session per subscriber and publisher out of 100 POSTs, refusing those that race', async () => {
    const subscriber = await token();
    const offer = await recvOnlyOffer();
    const results = await Promise.all(Array.from({ length: 100 }, () => post(`/whep/${publisher.id}`, subscriber.token, offer)));
    const answered = results.filter((result) => result.status === 201);
    assert.ok(answered.length >= 1, results.map((r) => `${r.status} ${r.text.slice(0, 80)}`).join("\n"));
    assert.ok(results.every((result) => result.status === 201 || result.status === 409), results.map((r) => r.status).join(' '));
    // One after the other, each new session replaces the one before.
    for (let i = 0; i < 5; i++) answered.push(await post(`/whep/${publisher.id}`, subscriber.token, offer));
    assert.equal(await liveSessions(answered.map((result) => result.location!), subscriber.token), 1);
  });

  it('counts WHEP-only subscribers against the subscriber limit, for WHEP and for joins', async () => {
    const offer = await recvOnlyOffer();
    const subscribers = [await token(), await token()];
    const sessions: [location: string, bearer: string][] = [];
    for (const subscriber of subscribers) {
      const answered = await post(`/whep/${publisher.id}`, subscriber.token, offer);
      assert.equal(answered.status, 201, answered.text);
      sessions.push([answered.location!, subscriber.token]);
    }
    const third = await post(`/whep/${publisher.id}`, (await token()).token, offer);
    assert.equal(third.status, 503);
    assert.match(third.text, /^stage-at-capacity:/);
    // A subscriber already counted may open another session.
    const again = await post(`/whep/${publisher.id}`, subscribers[0]!.token, offer);
    assert.equal(again.status, 201, again.text);
    const joiner = await joinEvents(stage.events, (await token()).token);
    assert.equal(joiner.first.type === 'error' && joiner.first.code, 'stage-at-capacity');

    sessions.push([again.location!, subscribers[0]!.token]);
    for (const [location, bearer] of sessions) await liveSessions([location], bearer);
    const joined = await joinEvents(stage.events, (await token()).token);
    assert.equal(joined.first.type, 'joined');
    joined.socket.close();
  });

  it('holds at most the live WHIP session and one replacement for a publisher, however many offers race', async () => {
    const pcs = Array.from({ length: 10 }, () => new RTCPeerConnection({ iceServers: [], codecs: OPUS }));
    try {
      const offers = await Promise.all(pcs.map((pc) => (pc.addTransceiver('audio', { direction: 'sendonly' }), offerOf(pc))));
      const results = await Promise.all(offers.map((offer) => post('/whip', publisher.token, offer)));
      assert.ok(results.every((result) => result.status === 201 || result.status === 409), results.map((r) => r.status).join(' '));
      const answered = results.filter((result) => result.status === 201);
      assert.ok(answered.length >= 1 && answered.length < results.length, `${answered.length} of ${results.length} answered`);
      assert.equal(await liveSessions(answered.map((result) => result.location!), publisher.token), 1);
    } finally {
      await Promise.all(pcs.map((pc) => pc.close()));
    }
  });
});

const OPUS = { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })] };
const OPUS_VP8 = { ...OPUS, video: [new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000 })] };

async function offerOf(pc: RTCPeerConnection): Promise<string> {
  await pc.setLocalDescription(await pc.createOffer());
  await until('ICE gathering', async () => pc.iceGatheringState === 'complete');
  return pc.localDescription!.sdp;
}

/** A subscriber's offer; the same text can be posted many times, each POST gets its own session. */
async function recvOnlyOffer(): Promise<string> {
  const pc = new RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle', codecs: OPUS_VP8 });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.addTransceiver('video', { direction: 'recvonly' });
  try {
    return await offerOf(pc);
  } finally {
    await pc.close();
  }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
