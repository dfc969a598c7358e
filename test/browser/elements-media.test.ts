import { expect, fixture, fixtureCleanup, html } from '@open-wc/testing';
import '../../src/index.js';
import type { IvsParticipant, IvsStage } from '../../src/index.js';
import { StreamType } from '../../src/sdk/index.js';
import { inbound } from '../helpers/media.js';
import { waitFor } from '../helpers/stage-events.js';
import { fetchToken, uniqueStageName } from '../helpers/stage-server.js';

async function publishingStage(token: string): Promise<IvsStage> {
  return fixture<IvsStage>(html`<ivs-stage token=${token}><ivs-local-stream publish></ivs-local-stream></ivs-stage>`);
}

function tileOf(stage: IvsStage, userId: string): IvsParticipant | undefined {
  return [...stage.shadowRoot!.querySelectorAll<IvsParticipant>('ivs-participant')].find((tile) => tile.participant?.userId === userId);
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
      const tile = await waitFor(() => tileOf(viewer, other), `${other}'s tile`);
      await waitFor(() => tile.streams.length === 2, `${other}'s audio and video streams`);
      const video = tile.shadowRoot!.querySelector('video')!;
      await waitFor(() => video.videoWidth > 0 && !video.paused, `${other}'s video playing`);
      const tracks = (video.srcObject as MediaStream).getTracks().map((t) => t.kind).sort();
      expect(tracks, 'the tile plays the remote audio too').to.deep.equal(['audio', 'video']);
      const videoStream = tile.streams.find((s) => s.streamType === StreamType.VIDEO)!;
      const frames = await inbound(videoStream, 'framesDecoded');
      await waitFor(async () => (await inbound(videoStream, 'framesDecoded')) > frames, `${other}'s frames keep coming`);
    }
    expect(alice.getAttribute('connection-state')).to.equal('connected');
    expect(bob.getAttribute('connection-state')).to.equal('connected');
  });
});
