import { expect, fixture, fixtureCleanup, html } from '@open-wc/testing';
import '../../src/index.js';
import type { IvsStage } from '../../src/index.js';
import { fetchToken, uniqueStageName } from '../helpers/stage-server.js';
import { playedKinds, playsAudio, showsVideo, tileFor } from '../elements/real-stage.js';

async function publishingStage(token: string): Promise<IvsStage> {
  return fixture<IvsStage>(html`<ivs-stage token=${token}><ivs-local-stream publish></ivs-local-stream></ivs-stage>`);
}

describe('<ivs-stage> + <ivs-local-stream publish> through the real server', () => {
  afterEach(() => fixtureCleanup());

  it('two stages render each other with playing video and audio', async () => {
    const name = uniqueStageName('elements');
    const alice = await publishingStage(await fetchToken({ stage: name, userId: 'alice' }));
    const bob = await publishingStage(await fetchToken({ stage: name, userId: 'bob' }));

    for (const [viewer, other] of [
      [alice, 'bob'],
      [bob, 'alice'],
    ] as const) {
      const tile = await tileFor(viewer, other);
      await showsVideo(tile, other);
      await playsAudio(tile, other);
      expect(playedKinds(tile), 'the tile plays the remote audio too').to.deep.equal(['audio', 'video']);
    }
    expect(alice.getAttribute('connection-state')).to.equal('connected');
    expect(bob.getAttribute('connection-state')).to.equal('connected');
  });
});
