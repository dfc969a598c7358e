import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ParticipantTokenClaims } from '../../src/protocol/index.js';
import { LiveStages } from '../../src/server/live/live-stages.js';
import { RTCPeerConnection } from 'werift';
import { createMediaHandler } from '../../src/server/media/media-routes.js';
import { MAX_PUBLISHERS } from '../../src/server/media/publisher-slots.js';
import { Sfu } from '../../src/server/media/sfu/sfu.js';
import { TokenLeases } from '../../src/server/tokens/token-leases.js';
import { listen } from './control-plane-harness.js';

const STAGE = 'CapacityStage';

function claimsFor(participantId: string): ParticipantTokenClaims {
  const now = Math.floor(Date.now() / 1000);
  return {
    jti: participantId,
    resource: `arn:aws:ivs:us-east-1:000000000000:stage/${STAGE}`,
    topic: STAGE,
    events_url: 'ws://127.0.0.1/events',
    whip_url: 'http://127.0.0.1/whip',
    capabilities: { allow_publish: true, allow_subscribe: true },
    version: '1.0',
    attributes: {},
    exp: now + 600,
    iat: now,
  };
}

describe(`WHIP refuses the ${MAX_PUBLISHERS + 1}th publisher of a stage`, () => {
  const live = new LiveStages();
  const sfu = new Sfu({ live });
  // The bearer token is the participant id: this test is about the publisher count, not signatures.
  const tokens = { verify: async (token: string) => claimsFor(token) };
  let served: Awaited<ReturnType<typeof listen>>;

  before(async () => {
    served = await listen(createMediaHandler({ tokens, live, sfu, leases: new TokenLeases() }));
  });
  after(async () => {
    await sfu.close();
    await served.close();
  });

  /** A publish attempt; with the default empty offer, 400 means it got past the capacity check. */
  async function publish(participantId: string, offer = 'v=0'): Promise<{ status: number; text: string; location: string | null }> {
    const response = await fetch(`${served.origin}/whip`, {
      method: 'POST',
      headers: { authorization: `Bearer ${participantId}`, 'content-type': 'application/sdp' },
      body: offer,
    });
    return { status: response.status, text: await response.text(), location: response.headers.get('location') };
  }

  it('answers 503 stage-at-capacity while twelve others publish', async () => {
    for (let i = 0; i < MAX_PUBLISHERS; i++) live.setPublished(claimsFor(`publisher-${i}`), ['audio', 'video']);

    const refused = await publish('the-thirteenth');
    assert.equal(refused.status, 503);
    assert.match(refused.text, /^stage-at-capacity:/);
    // A publisher that publishes again replaces its own publication.
    assert.equal((await publish('publisher-0')).status, 400);

    live.setPublished(claimsFor('publisher-5'), []);
    assert.equal((await publish('the-thirteenth')).status, 400);
    for (let i = 0; i < MAX_PUBLISHERS; i++) live.setPublished(claimsFor(`publisher-${i}`), []);
  });

  it('counts publishers whose offer was answered but whose peer has not connected yet', async () => {
    // Real offers whose answers are never applied: twelve sessions that stay connecting.
    const peers = Array.from({ length: MAX_PUBLISHERS }, () => new RTCPeerConnection({ iceServers: [] }));
    try {
      const locations: string[] = [];
      for (const [i, pc] of peers.entries()) {
        pc.addTransceiver('audio', { direction: 'sendonly' });
        await pc.setLocalDescription(await pc.createOffer());
        const answered = await publish(`connecting-${i}`, pc.localDescription!.sdp);
        assert.equal(answered.status, 201, answered.text);
        locations.push(answered.location!);
      }
      assert.equal(live.participants(STAGE).filter((p) => p.published).length, 0);
      assert.equal((await publish('one-too-many')).status, 503);

      // Ending one of them frees its place.
      const ended = await fetch(served.origin + locations[0], { method: 'DELETE', headers: { authorization: 'Bearer connecting-0' } });
      assert.equal(ended.status, 200);
      assert.equal((await publish('one-too-many')).status, 400);
    } finally {
      await Promise.all(peers.map((pc) => pc.close()));
    }
  });
});
