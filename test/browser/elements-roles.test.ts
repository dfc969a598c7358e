import { expect, fixture, fixtureCleanup, html } from '@open-wc/testing';
import '../../src/index.js';
import type { IvsStage, IvsSubscribeRule } from '../../src/index.js';
import { StreamType } from '../../src/sdk/index.js';
import { waitFor } from '../helpers/stage-events.js';
import { fetchToken, uniqueStageName } from '../helpers/stage-server.js';
import { placeholderShown, playedKinds, playsAudio, showsVideo, streamOf, tileFor, tileOf } from '../elements/real-stage.js';

/** A guest's page: publishes, and receives nobody whose token says role=moderator. */
async function guestPage(token: string): Promise<IvsStage> {
  return fixture<IvsStage>(html`
    <ivs-stage token=${token}>
      <ivs-subscribe-rule attribute="role" value="moderator" subscribe="none"></ivs-subscribe-rule>
      <ivs-local-stream publish></ivs-local-stream>
    </ivs-stage>
  `);
}

/** A moderator's page: publishes nothing, receives guests only. */
async function moderatorPage(token: string): Promise<IvsStage> {
  return fixture<IvsStage>(html`
    <ivs-stage token=${token} subscribe="none">
      <ivs-subscribe-rule attribute="role" value="guest"></ivs-subscribe-rule>
    </ivs-stage>
  `);
}

function subscribeStates(stage: IvsStage, userId: string): string[] {
  const states: string[] = [];
  stage.addEventListener('ivs-participant-subscribe-state-changed', (event) => {
    if (event.detail.participant.userId === userId) states.push(event.detail.state);
  });
  return states;
}

describe('role-based subscription with <ivs-subscribe-rule> through the real server', () => {
  afterEach(() => fixtureCleanup());

  it('guests see each other but not the moderator; the moderator sees every guest', async () => {
    const name = uniqueStageName('roles');
    const moderator = await moderatorPage(await fetchToken({ stage: name, userId: 'mod', attributes: { role: 'moderator' } }));
    const ana = await guestPage(await fetchToken({ stage: name, userId: 'ana', attributes: { role: 'guest' } }));
    const anaSubscriptionsToMod = subscribeStates(ana, 'mod');
    const ben = await guestPage(await fetchToken({ stage: name, userId: 'ben', attributes: { role: 'guest' } }));

    for (const [viewer, other] of [
      [ana, 'ben'],
      [ben, 'ana'],
      [moderator, 'ana'],
      [moderator, 'ben'],
    ] as const) {
      const tile = await tileFor(viewer, other);
      await showsVideo(tile, other);
      await playsAudio(tile, other);
    }

    for (const guest of [ana, ben]) {
      expect(guest.participants.some((p) => p.info.userId === 'mod'), 'the moderator is on the stage').to.equal(true);
      expect(tileOf(guest, 'mod'), 'but has no tile').to.equal(undefined);
    }
    expect(anaSubscriptionsToMod, 'ana never subscribes to the moderator').to.deep.equal([]);
    expect(moderator.querySelector('ivs-local-stream')).to.equal(null);
    expect(moderator.participants.find((p) => p.info.isLocal)!.info.isPublishing).to.equal(false);
  });

  it('adding, changing and removing a rule refreshes what is received', async () => {
    const name = uniqueStageName('rules');
    const viewer = await fixture<IvsStage>(html`<ivs-stage token=${await fetchToken({ stage: name, userId: 'viewer' })}></ivs-stage>`);
    const host = await fixture<IvsStage>(
      html`<ivs-stage token=${await fetchToken({ stage: name, userId: 'host', attributes: { role: 'host' } })}>
        <ivs-local-stream publish></ivs-local-stream>
      </ivs-stage>`,
    );
    let tile = await tileFor(viewer, 'host');
    await showsVideo(tile, 'host');

    // Added: the host is no longer received at all.
    const rule = document.createElement('ivs-subscribe-rule') as IvsSubscribeRule;
    rule.setAttribute('attribute', 'role');
    rule.setAttribute('value', 'host');
    rule.setAttribute('subscribe', 'none');
    viewer.append(rule);
    await waitFor(() => tileOf(viewer, 'host') === undefined, 'the host tile to go');
    await waitFor(
      () => viewer.participants.find((p) => p.info.userId === 'host')?.streams.length === 0,
      'the host streams to be removed',
    );

    // Changed to audio-only: a tile again, with sound and a placeholder.
    rule.subscribe = 'audio-only';
    tile = await tileFor(viewer, 'host');
    await playsAudio(tile, 'host');
    expect(streamOf(tile, StreamType.VIDEO)).to.equal(undefined);
    expect(playedKinds(tile)).to.deep.equal(['audio']);
    expect(placeholderShown(tile)).to.equal(true);

    // Removed: the stage's own subscribe (audio-video) applies again.
    rule.remove();
    await showsVideo(tile, 'host');
    expect(host.getAttribute('connection-state')).to.equal('connected');
  });

  it('a rule downgrades one participant to audio only while the others keep video', async () => {
    const name = uniqueStageName('downgrade-rule');
    const publish = (userId: string) =>
      fetchToken({ stage: name, userId }).then((token) =>
        fixture<IvsStage>(html`<ivs-stage token=${token}><ivs-local-stream publish></ivs-local-stream></ivs-stage>`),
      );
    const viewer = await fixture<IvsStage>(html`
      <ivs-stage token=${await fetchToken({ stage: name, userId: 'viewer' })}>
        <ivs-subscribe-rule user-id="cam2" subscribe="audio-video"></ivs-subscribe-rule>
      </ivs-stage>
    `);
    await publish('cam1');
    await publish('cam2');
    const [cam1, cam2] = [await tileFor(viewer, 'cam1'), await tileFor(viewer, 'cam2')];
    await showsVideo(cam1, 'cam1');
    await showsVideo(cam2, 'cam2');

    viewer.querySelector('ivs-subscribe-rule')!.setAttribute('subscribe', 'audio-only');
    await waitFor(() => placeholderShown(cam2) && !streamOf(cam2, StreamType.VIDEO), 'cam2 video removed');
    expect(cam2.hasAttribute('audio-only')).to.equal(true);
    expect(cam1.hasAttribute('audio-only')).to.equal(false);
    expect(playedKinds(cam2)).to.deep.equal(['audio']);
    await playsAudio(cam2, 'cam2');
    await showsVideo(cam1, 'cam1');
    expect(
      viewer.participants.find((p) => p.info.userId === 'cam2')!.info.isPublishing,
      'cam2 still publishes; only this viewer receives less',
    ).to.equal(true);
  });
});
