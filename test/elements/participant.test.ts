import { expect, fixture, html } from '@open-wc/testing';
import { IvsParticipant, LocalStageStream, StageEvents, StreamType } from '../../src/index.js';
import type { IvsStage, RemoteStageStream, Stage } from '../../src/index.js';
import {
  afterEach,
  beforeEach,
  describe,
  fakeTracks,
  it,
  localInfo,
  recordJoins,
  remoteInfo,
  remoteStreams,
  settle,
  unsignedToken,
} from './support.js';

describe('<ivs-participant>', () => {
  let joins: ReturnType<typeof recordJoins>;
  let streams: RemoteStageStream[] = [];
  beforeEach(async () => {
    joins = recordJoins();
    streams = await remoteStreams();
  });
  afterEach(() => {
    joins.restore();
    streams.forEach((s) => s.mediaStreamTrack.stop());
  });

  async function stage(): Promise<IvsStage & { stage: Stage }> {
    const el = await fixture<IvsStage>(html`<ivs-stage token=${unsignedToken()}></ivs-stage>`);
    await settle();
    return el as IvsStage & { stage: Stage };
  }

  async function tileOf(el: IvsStage, id: string): Promise<IvsParticipant> {
    await el.updateComplete;
    const tile = el.shadowRoot!.querySelector<IvsParticipant>(`ivs-participant[participant-id="${id}"]`);
    expect(tile, `tile for ${id}`).to.be.instanceOf(IvsParticipant);
    await tile!.updateComplete;
    return tile!;
  }

  it('labels the tile with the userId and plays video and audio', async () => {
    const el = await stage();
    const alice = remoteInfo('alice', 'Alice Liddell');
    el.stage.emit(StageEvents.STAGE_PARTICIPANT_JOINED, alice);
    const tile = await tileOf(el, 'alice');
    expect(tile.participant).to.equal(alice);
    expect(tile.shadowRoot!.querySelector('[part="label"]')!.textContent).to.contain('Alice Liddell');

    el.stage.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, alice, streams);
    await tile.updateComplete;
    const video = tile.shadowRoot!.querySelector('video')!;
    expect(video.autoplay).to.equal(true);
    expect(video.hasAttribute('playsinline')).to.equal(true);
    expect(video.muted, 'remote audio is played').to.equal(false);
    const src = video.srcObject as MediaStream;
    expect(src.getTracks().map((t) => t.id).sort()).to.deep.equal(streams.map((s) => s.mediaStreamTrack.id).sort());
    expect(tile.shadowRoot!.querySelector<HTMLElement>('[part="placeholder"]')!.hidden).to.equal(true);
  });

  it('shows the placeholder and keeps audio when the video stream is removed', async () => {
    const el = await stage();
    const alice = remoteInfo('alice', 'alice');
    el.stage.emit(StageEvents.STAGE_PARTICIPANT_JOINED, alice);
    el.stage.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, alice, streams);
    const tile = await tileOf(el, 'alice');
    el.stage.emit(
      StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED,
      alice,
      streams.filter((s) => s.streamType === StreamType.VIDEO),
    );
    await tile.updateComplete;
    const src = tile.shadowRoot!.querySelector('video')!.srcObject as MediaStream;
    expect(src.getTracks().map((t) => t.kind)).to.deep.equal(['audio']);
    expect(tile.shadowRoot!.querySelector<HTMLElement>('[part="placeholder"]')!.hidden).to.equal(false);
  });

  it('reflects audio-muted and video-stopped from mute events', async () => {
    const el = await stage();
    const alice = remoteInfo('alice', 'alice');
    el.stage.emit(StageEvents.STAGE_PARTICIPANT_JOINED, alice);
    el.stage.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, alice, streams);
    const tile = await tileOf(el, 'alice');
    expect(tile.hasAttribute('audio-muted')).to.equal(false);
    expect(tile.hasAttribute('video-stopped')).to.equal(false);

    alice.audioMuted = true;
    el.stage.emit(StageEvents.STAGE_STREAM_MUTE_CHANGED, alice, streams.find((s) => s.streamType === StreamType.AUDIO));
    await tile.updateComplete;
    expect(tile.hasAttribute('audio-muted')).to.equal(true);
    expect(tile.shadowRoot!.querySelector('[part="label"]')!.textContent).to.contain('microphone muted');

    alice.videoStopped = true;
    el.stage.emit(StageEvents.STAGE_STREAM_MUTE_CHANGED, alice, streams.find((s) => s.streamType === StreamType.VIDEO));
    await tile.updateComplete;
    expect(tile.hasAttribute('video-stopped')).to.equal(true);
    expect(tile.shadowRoot!.querySelector<HTMLElement>('[part="placeholder"]')!.hidden).to.equal(false);

    alice.audioMuted = false;
    alice.videoStopped = false;
    el.stage.emit(StageEvents.STAGE_STREAM_MUTE_CHANGED, alice, streams[0]);
    await tile.updateComplete;
    expect(tile.hasAttribute('audio-muted')).to.equal(false);
    expect(tile.hasAttribute('video-stopped')).to.equal(false);
  });

  describe('when the browser blocks sound', () => {
    const original = HTMLMediaElement.prototype.play;
    beforeEach(() => {
      // Autoplay policy of a page without a user gesture: sound is refused, muted playback allowed.
      HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
        return this.muted ? Promise.resolve() : Promise.reject(new DOMException('no gesture', 'NotAllowedError'));
      };
    });
    afterEach(() => {
      HTMLMediaElement.prototype.play = original;
    });

    /** A remote tile whose sound was refused; from now on playing is allowed, as after a gesture. */
    async function blockedTile(): Promise<{ tile: IvsParticipant; video: HTMLVideoElement }> {
      const el = await stage();
      const alice = remoteInfo('alice', 'alice');
      el.stage.emit(StageEvents.STAGE_PARTICIPANT_JOINED, alice);
      el.stage.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, alice, streams);
      const tile = await tileOf(el, 'alice');
      await settle();
      await tile.updateComplete;
      const video = tile.shadowRoot!.querySelector('video')!;
      expect(video.muted, 'the picture plays muted meanwhile').to.equal(true);
      HTMLMediaElement.prototype.play = () => Promise.resolve();
      return { tile, video };
    }

    it('offers a "Play audio" button and plays the sound after the click', async () => {
      const { tile, video } = await blockedTile();
      const button = tile.shadowRoot!.querySelector<HTMLButtonElement>('[part="play-button"]');
      expect(button, 'the affordance').to.be.instanceOf(HTMLButtonElement);
      expect(button!.textContent).to.contain('Play audio');
      button!.click();
      await tile.updateComplete;
      expect(video.muted).to.equal(false);
      expect(tile.shadowRoot!.querySelector('[part="play-button"]')).to.equal(null);
    });

    it('starts the sound on the first key press anywhere on the page', async () => {
      const { tile, video } = await blockedTile();
      document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true }));
      await tile.updateComplete;
      expect(video.muted).to.equal(false);
      expect(tile.shadowRoot!.querySelector('[part="play-button"]')).to.equal(null);
    });
  });

  it('finds its participant by user-id when placed by the page, and keeps it out of the grid', async () => {
    const el = await stage();
    const tile = document.createElement('ivs-participant');
    tile.userId = 'Alice Liddell';
    el.append(tile);
    const alice = remoteInfo('alice', 'Alice Liddell');
    el.stage.emit(StageEvents.STAGE_PARTICIPANT_JOINED, alice);
    el.stage.emit(StageEvents.STAGE_PARTICIPANT_JOINED, remoteInfo('bob', 'bob'));
    el.stage.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, alice, streams);
    await settle();
    await tile.updateComplete;
    await el.updateComplete;
    expect(tile.participant).to.equal(alice);
    expect(tile.streams).to.have.length(2);
    const gridTiles = [...el.shadowRoot!.querySelectorAll<IvsParticipant>('ivs-participant')];
    expect(gridTiles.map((t) => t.participantId)).to.deep.equal(['bob']);
  });

  it('ignores events about other participants', async () => {
    const el = await stage();
    const alice = remoteInfo('alice', 'alice');
    const bob = remoteInfo('bob', 'bob');
    el.stage.emit(StageEvents.STAGE_PARTICIPANT_JOINED, alice);
    el.stage.emit(StageEvents.STAGE_PARTICIPANT_JOINED, bob);
    const tile = await tileOf(el, 'alice');
    el.stage.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, bob, streams);
    await tile.updateComplete;
    expect(tile.shadowRoot!.querySelector('video')!.srcObject).to.equal(null);
    expect(tile.streams).to.deep.equal([]);
  });

  it('never plays the local participant’s own audio', async () => {
    const el = await stage();
    const me = localInfo('me-id', 'me');
    const tracks = await fakeTracks();
    const local = tracks.map((t) => new LocalStageStream(t));
    try {
      const tile = document.createElement('ivs-participant');
      tile.participantId = 'me-id';
      el.append(tile);
      el.stage.emit(StageEvents.STAGE_PARTICIPANT_JOINED, me);
      el.stage.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, me, local);
      await tile.updateComplete;
      const video = tile.shadowRoot!.querySelector('video')!;
      expect(video.muted).to.equal(true);
      expect((video.srcObject as MediaStream).getTracks().map((t) => t.kind)).to.deep.equal(['video']);
      expect(el.shadowRoot!.querySelectorAll('ivs-participant'), 'no automatic tile for the local participant').to.have.length(0);
    } finally {
      tracks.forEach((t) => t.stop());
    }
  });

  it('releases its media when removed', async () => {
    const el = await stage();
    const alice = remoteInfo('alice', 'alice');
    el.stage.emit(StageEvents.STAGE_PARTICIPANT_JOINED, alice);
    el.stage.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, alice, streams);
    const tile = await tileOf(el, 'alice');
    const video = tile.shadowRoot!.querySelector('video')!;
    expect(video.srcObject).to.not.equal(null);
    el.stage.emit(StageEvents.STAGE_PARTICIPANT_LEFT, alice);
    await el.updateComplete;
    expect(tile.isConnected).to.equal(false);
    expect(video.srcObject).to.equal(null);
  });

  it('is accessible', async () => {
    const el = await stage();
    const alice = remoteInfo('alice', 'alice');
    alice.audioMuted = true;
    el.stage.emit(StageEvents.STAGE_PARTICIPANT_JOINED, alice);
    el.stage.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, alice, streams);
    const tile = await tileOf(el, 'alice');
    await expect(tile).to.be.accessible();
  });
});
