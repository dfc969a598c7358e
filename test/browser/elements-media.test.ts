import { expect, fixture, fixtureCleanup, html } from '@open-wc/testing';
import '../../src/index.js';
import type { IvsStage } from '../../src/index.js';
import { StreamType, SubscribeType } from '../../src/sdk/index.js';
import { waitFor } from '../helpers/stage-events.js';
import { fetchToken, uniqueStageName } from '../helpers/stage-server.js';
import { placeholderShown, playedKinds, playsAudio, showsVideo, streamOf, tileFor, tileOf } from '../elements/real-stage.js';

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

describe('<ivs-stage> scenarios through the real server', () => {
  afterEach(() => fixtureCleanup());

  async function pair(): Promise<{ alice: IvsStage; bob: IvsStage }> {
    const name = uniqueStageName('stage');
    const alice = await publishingStage(await fetchToken({ stage: name, userId: 'alice' }));
    const bob = await publishingStage(await fetchToken({ stage: name, userId: 'bob' }));
    await showsVideo(await tileFor(alice, 'bob'), 'bob');
    return { alice, bob };
  }

  it('audio-only downgrade: subscribe="audio-only" removes the video, the tile shows a placeholder and keeps the sound', async () => {
    const { alice } = await pair();
    const tile = await tileFor(alice, 'bob');
    alice.setAttribute('subscribe', 'audio-only');
    await waitFor(() => placeholderShown(tile) && !streamOf(tile, StreamType.VIDEO), 'the video to go');
    expect(playedKinds(tile)).to.deep.equal(['audio']);
    expect(tile.hasAttribute('audio-only'), 'reflected for CSS').to.equal(true);
    expect(tile.shadowRoot!.querySelector('[part="label"]')!.textContent).to.contain('audio only');
    await playsAudio(tile, 'bob');

    alice.subscribe = 'audio-video';
    await showsVideo(tile, 'bob again');
    expect(tile.hasAttribute('audio-only')).to.equal(false);
  });

  it('.strategy replaces the markup strategy on the live stage, and undefined brings it back', async () => {
    const { alice } = await pair();
    const markup = alice.strategy;
    alice.strategy = {
      stageStreamsToPublish: () => markup.stageStreamsToPublish(),
      shouldPublishParticipant: (info) => markup.shouldPublishParticipant(info),
      shouldSubscribeToParticipant: () => SubscribeType.NONE,
    };
    await waitFor(() => tileOf(alice, 'bob') === undefined, 'no tile under a strategy that receives nobody');
    await waitFor(() => alice.participants.find((p) => p.info.userId === 'bob')?.streams.length === 0, 'bob unsubscribed');

    alice.strategy = undefined;
    expect(alice.strategy).to.equal(markup);
    await showsVideo(await tileFor(alice, 'bob'), 'bob under the markup strategy');
  });

  it('leave() and join() let the page control the session', async () => {
    const { alice, bob } = await pair();
    await alice.leave();
    expect(alice.getAttribute('connection-state')).to.equal('disconnected');
    await alice.updateComplete;
    expect(tileOf(alice, 'bob')).to.equal(undefined);
    await waitFor(() => tileOf(bob, 'alice') === undefined, 'alice to leave bob\'s grid');

    const states: string[] = [];
    alice.addEventListener('ivs-connection-state-changed', (e) => states.push(e.detail.state));
    await alice.join();
    expect(states).to.deep.equal(['connecting', 'connected']);
    await showsVideo(await tileFor(alice, 'bob'), 'bob after joining again');
    await showsVideo(await tileFor(bob, 'alice'), 'alice publishing again');
  });
});

describe('<ivs-stage> reconnection through the real server', () => {
  const NativeWebSocket = window.WebSocket;
  afterEach(() => {
    window.WebSocket = NativeWebSocket;
    fixtureCleanup();
  });

  it('shows "Reconnecting…" while the SDK rejoins after the events channel drops, then media comes back', async () => {
    const name = uniqueStageName('reconnect');
    const sockets: WebSocket[] = [];
    // Keep the events sockets the SDK opens, so the test can cut one as a network failure would.
    window.WebSocket = class extends NativeWebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        sockets.push(this);
      }
    };
    const alice = await publishingStage(await fetchToken({ stage: name, userId: 'alice' }));
    await waitFor(() => alice.getAttribute('connection-state') === 'connected', 'alice connected');
    const [aliceSocket] = sockets;
    window.WebSocket = NativeWebSocket;
    const bob = await publishingStage(await fetchToken({ stage: name, userId: 'bob' }));
    await showsVideo(await tileFor(alice, 'bob'), 'bob');

    const seen: string[] = [];
    const statusTexts = new Set<string>();
    alice.addEventListener('ivs-connection-state-changed', async (e) => {
      seen.push(e.detail.state);
      await alice.updateComplete;
      const text = alice.shadowRoot!.querySelector('[part="status"]')?.textContent;
      if (text) statusTexts.add(text);
    });
    aliceSocket.close();
    await waitFor(() => seen.includes('connected'), 'alice to rejoin');
    expect(seen.slice(0, 2)).to.deep.equal(['errored', 'connecting']);
    expect([...statusTexts]).to.deep.equal(['Reconnecting…']);
    expect(alice.hasAttribute('reconnecting')).to.equal(false);
    await showsVideo(await tileFor(alice, 'bob'), 'bob after the rejoin');
    await showsVideo(await tileFor(bob, 'alice'), 'alice publishing again after the rejoin');
  });

  it('shows "Disconnected" and says why once the SDK gives up rejoining after reconnect-timeout', async () => {
    const name = uniqueStageName('give-up');
    const sockets: WebSocket[] = [];
    window.WebSocket = class extends NativeWebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        // After the first socket, the server is unreachable.
        super(sockets.length === 0 ? args[0] : 'ws://127.0.0.1:9/events', args[1]);
        sockets.push(this);
      }
    };
    const token = await fetchToken({ stage: name, userId: 'alice' });
    const alice = await fixture<IvsStage>(html`<ivs-stage token=${token} reconnect-timeout="1500"></ivs-stage>`);
    await waitFor(() => alice.getAttribute('connection-state') === 'connected', 'alice connected');
    const errors: unknown[] = [];
    alice.addEventListener('ivs-error', (e) => errors.push(e.detail.error));
    sockets[0].close();
    await waitFor(() => alice.getAttribute('connection-state') === 'disconnected', 'alice to give up');
    await alice.updateComplete;
    expect(alice.getAttribute('left-reason')).to.equal('unknown');
    expect(alice.hasAttribute('reconnecting')).to.equal(false);
    expect(alice.shadowRoot!.querySelector('[part="status"]')?.textContent).to.equal('Disconnected');
    expect(errors.length).to.be.greaterThan(0);
    expect(sockets.length).to.be.greaterThan(2, 'it tried more than once');
  });
});
