import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ParticipantTokenClaims } from '../../src/protocol/index.js';
import { LiveStages } from '../../src/server/live/live-stages.js';
import { MAX_PUBLISHERS, createMediaHandler } from '../../src/server/media/media-routes.js';
import { Sfu } from '../../src/server/media/sfu/sfu.js';
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
    served = await listen(createMediaHandler({ tokens, live, sfu }));
  });
  after(async () => {
    await sfu.close();
    await served.close();
  });

  /** A publish attempt with an empty offer: 400 means it got past the capacity check. */
  async function publish(participantId: string): Promise<{ status: number; text: string }> {
    const response = await fetch(`${served.origin}/whip`, {
      method: 'POST',
      headers: { authorization: `Bearer ${participantId}`, 'content-type': 'application/sdp' },
      body: 'v=0',
    });
    return { status: response.status, text: await response.text() };
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
  });
});
