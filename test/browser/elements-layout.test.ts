import { expect, fixture, fixtureCleanup, html } from '@open-wc/testing';
import '../../src/index.js';
import type { IvsParticipant, IvsStage } from '../../src/index.js';
import { waitFor } from '../helpers/stage-events.js';
import { fetchToken, uniqueStageName } from '../helpers/stage-server.js';
import { playsAudio, showsVideo, tileFor, tileOf } from '../elements/real-stage.js';

async function publisher(stage: string, userId: string): Promise<IvsStage> {
  const token = await fetchToken({ stage, userId });
  return fixture<IvsStage>(html`<ivs-stage token=${token}><ivs-local-stream publish></ivs-local-stream></ivs-stage>`);
}

describe('custom layouts through the real server', () => {
  afterEach(() => fixtureCleanup());

  it('a page places <ivs-participant user-id> where it wants; the grid shows only the others', async () => {
    const name = uniqueStageName('layout');
    const page = await fixture<IvsStage>(html`
      <ivs-stage token=${await fetchToken({ stage: name, userId: 'viewer' })}>
        <section class="spotlight"><ivs-participant user-id="host"></ivs-participant></section>
      </ivs-stage>
    `);
    await publisher(name, 'host');
    await publisher(name, 'guest');
    const spotlight = page.querySelector<IvsParticipant>('.spotlight ivs-participant')!;
    await showsVideo(spotlight, 'host in the spotlight');
    await playsAudio(spotlight, 'host in the spotlight');
    await showsVideo(await tileFor(page, 'guest'), 'guest in the grid');
    expect(tileOf(page, 'host'), 'the host is not shown twice').to.equal(undefined);

    // Taking the placed tile away gives the host a grid tile again.
    spotlight.remove();
    await showsVideo(await tileFor(page, 'host'), 'host back in the grid');
  });

  it('layout="none": the page renders participants from ivs-* events, as a framework would', async () => {
    const name = uniqueStageName('events-layout');
    const page = await fixture<IvsStage>(html`<ivs-stage layout="none" token=${await fetchToken({ stage: name, userId: 'viewer' })}></ivs-stage>`);
    const list = document.createElement('ul');
    page.append(list);
    page.addEventListener('ivs-participant-joined', ({ detail: { participant } }) => {
      if (participant.isLocal) return;
      const item = document.createElement('li');
      item.dataset.id = participant.id;
      const tile = document.createElement('ivs-participant');
      tile.participantId = participant.id;
      item.append(tile);
      list.append(item);
    });
    page.addEventListener('ivs-participant-left', ({ detail: { participant } }) => {
      list.querySelector(`li[data-id="${participant.id}"]`)?.remove();
    });

    const other = await publisher(name, 'other');
    const tile = await waitFor(() => list.querySelector('ivs-participant'), 'a tile rendered by the page');
    await showsVideo(tile, 'other');
    expect(page.shadowRoot!.querySelectorAll('ivs-participant'), 'no automatic tiles').to.have.length(0);

    other.remove();
    await waitFor(() => list.children.length === 0, 'the page to drop the tile when the participant leaves');
  });
});
