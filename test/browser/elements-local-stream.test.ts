import { expect, fixture, fixtureCleanup, html } from '@open-wc/testing';
import '../../src/index.js';
import type { IvsLocalStream, IvsStage } from '../../src/index.js';
import { StreamType } from '../../src/sdk/index.js';
import { waitFor } from '../helpers/stage-events.js';
import { fetchToken, uniqueStageName } from '../helpers/stage-server.js';
import { placeholderShown, playedKinds, playsAudio, showsVideo, streamOf, tileFor, tileOf } from '../elements/real-stage.js';

/** A viewer page (publishes nothing) and a publisher page on one stage. */
async function viewerAndPublisher(local = html`<ivs-local-stream publish></ivs-local-stream>`): Promise<{
  viewer: IvsStage;
  publisher: IvsStage;
  local: IvsLocalStream;
}> {
  const name = uniqueStageName('local');
  const viewer = await fixture<IvsStage>(html`<ivs-stage token=${await fetchToken({ stage: name, userId: 'viewer' })}></ivs-stage>`);
  const publisher = await fixture<IvsStage>(html`<ivs-stage token=${await fetchToken({ stage: name, userId: 'pub' })}>${local}</ivs-stage>`);
  return { viewer, publisher, local: publisher.querySelector('ivs-local-stream')! };
}

/** Records the local participant's publish states, to prove a change did not republish. */
function localPublishStates(stage: IvsStage): string[] {
  const states: string[] = [];
  stage.addEventListener('ivs-participant-publish-state-changed', (event) => {
    if (event.detail.participant.isLocal) states.push(event.detail.state);
  });
  return states;
}

describe('<ivs-local-stream> through the real server', () => {
  afterEach(() => fixtureCleanup());

  it('publish on tap: toggling publish starts and stops what the others receive', async () => {
    const { viewer, local } = await viewerAndPublisher(html`<ivs-local-stream></ivs-local-stream>`);
    const tile = await tileFor(viewer, 'pub');
    expect(tile.streams, 'nothing received before publishing').to.deep.equal([]);
    expect(placeholderShown(tile)).to.equal(true);

    local.publish = true;
    await showsVideo(tile, 'pub');
    await playsAudio(tile, 'pub');
    expect(local.getAttribute('publish-state')).to.equal('published');

    local.publish = false;
    await waitFor(() => tile.streams.length === 0 && placeholderShown(tile), 'the streams to go');
    expect(playedKinds(tile)).to.deep.equal([]);
    await waitFor(() => local.getAttribute('publish-state') === 'not_published', 'publish-state not_published');

    local.toggleAttribute('publish', true);
    await showsVideo(tile, 'pub');
  });

  it('mute: audio-muted and video-muted are reflected on the remote tile, which shows a placeholder', async () => {
    const { viewer, local } = await viewerAndPublisher();
    const tile = await tileFor(viewer, 'pub');
    await showsVideo(tile, 'pub');

    local.videoMuted = true;
    await waitFor(() => tile.hasAttribute('video-stopped'), 'video-stopped on the remote tile');
    expect(placeholderShown(tile), 'a placeholder, not a frozen frame').to.equal(true);
    expect(tile.hasAttribute('audio-muted')).to.equal(false);
    expect(tile.shadowRoot!.querySelector('[part="label"]')!.textContent).to.contain('camera off');
    await playsAudio(tile, 'pub');

    local.toggleAttribute('audio-muted', true);
    await waitFor(() => tile.hasAttribute('audio-muted'), 'audio-muted on the remote tile');
    expect(tile.shadowRoot!.querySelector('[part="label"]')!.textContent).to.contain('microphone muted');

    local.videoMuted = false;
    local.audioMuted = false;
    await waitFor(() => !tile.hasAttribute('video-stopped') && !tile.hasAttribute('audio-muted'), 'both unmuted');
    await showsVideo(tile, 'pub');

    local.muted = true;
    await waitFor(() => tile.hasAttribute('video-stopped') && tile.hasAttribute('audio-muted'), 'muted mutes both');
    expect(local.streams.every((s) => s.isMuted)).to.equal(true);
  });

  it('device choice: a new video-device-id or audio-device-id swaps the track without republishing', async () => {
    const { viewer, publisher, local } = await viewerAndPublisher();
    const tile = await tileFor(viewer, 'pub');
    await showsVideo(tile, 'pub');
    const states = localPublishStates(publisher);
    const remoteVideo = streamOf(tile, StreamType.VIDEO)!;
    const before = local.streams.find((s) => s.streamType === StreamType.VIDEO)!.mediaStreamTrack;

    const cameras = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
    const camera = cameras.at(-1)!;
    local.setAttribute('video-device-id', camera.deviceId);
    const after = await waitFor(() => {
      const track = local.streams.find((s) => s.streamType === StreamType.VIDEO)?.mediaStreamTrack;
      return track && track !== before ? track : undefined;
    }, 'a new camera track');
    expect(after.getSettings().deviceId).to.equal(camera.deviceId);
    await waitFor(() => before.readyState === 'ended', 'the old track to stop');
    expect(local.mediaStream!.getVideoTracks()).to.deep.equal([after]);

    await showsVideo(tile, 'pub');
    expect(streamOf(tile, StreamType.VIDEO), 'the viewer keeps the same stream: no renegotiation').to.equal(remoteVideo);

    // The microphone likewise.
    const remoteAudio = streamOf(tile, StreamType.AUDIO)!;
    const mic = local.streams.find((s) => s.streamType === StreamType.AUDIO)!.mediaStreamTrack;
    const microphone = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audioinput').at(-1)!;
    local.audioDeviceId = microphone.deviceId;
    await waitFor(() => mic.readyState === 'ended', 'the old microphone track to stop');
    expect(local.streams.find((s) => s.streamType === StreamType.AUDIO)!.mediaStreamTrack.getSettings().deviceId).to.equal(microphone.deviceId);
    await playsAudio(tile, 'pub');
    expect(streamOf(tile, StreamType.AUDIO)).to.equal(remoteAudio);
    expect(states, 'no unpublish or republish').to.deep.equal([]);
  });

  it('encoding options: max-bitrate, max-framerate and simulcast become LocalStageStream options, also while published', async () => {
    const { viewer, publisher, local } = await viewerAndPublisher(
      html`<ivs-local-stream publish max-bitrate="400" max-framerate="20"></ivs-local-stream>`,
    );
    const tile = await tileFor(viewer, 'pub');
    await showsVideo(tile, 'pub');
    const video = () => local.streams.find((s) => s.streamType === StreamType.VIDEO)!;
    expect(video().options).to.deep.include({ maxBitrate: 400, maxFramerate: 20 });
    expect(local.streams.find((s) => s.streamType === StreamType.AUDIO)!.options, 'video options only').to.deep.equal({});

    const states = localPublishStates(publisher);
    const track = video().mediaStreamTrack;
    local.maxBitrate = 200;
    await waitFor(() => video().options.maxBitrate === 200, 'new options');
    expect(video().mediaStreamTrack, 'same track, new options').to.equal(track);
    await waitFor(async () => {
      let target = Infinity;
      (await video().getStats()).forEach((entry) => {
        if (entry.type === 'outbound-rtp' && typeof entry.targetBitrate === 'number') target = entry.targetBitrate;
      });
      return target <= 200_000;
    }, 'the encoder to target at most 200 kbps');
    await showsVideo(tile, 'pub');
    expect(states, 'applied without republishing').to.deep.equal([]);
  });

  it('reports encoding attributes outside the stage limits and publishes with the defaults', async () => {
    const errors: unknown[] = [];
    const name = uniqueStageName('limits');
    const stage = await fixture<IvsStage>(html`
      <ivs-stage token=${await fetchToken({ stage: name, userId: 'pub' })} @ivs-local-stream-error=${(e: CustomEvent) => errors.push(e.detail.error)}>
        <ivs-local-stream publish max-bitrate="99999" simulcast></ivs-local-stream>
      </ivs-stage>
    `);
    const local = stage.querySelector('ivs-local-stream')!;
    await waitFor(() => local.getAttribute('publish-state') === 'published', 'published');
    expect(errors).to.have.length(1);
    expect(errors[0]).to.be.instanceOf(RangeError);
    expect(local.streams.find((s) => s.streamType === StreamType.VIDEO)!.options).to.deep.equal({});
  });

  it('screen share: a second stage with source="screen" appears as its own tile', async () => {
    const name = uniqueStageName('screen');
    const viewer = await fixture<IvsStage>(html`<ivs-stage token=${await fetchToken({ stage: name, userId: 'viewer' })}></ivs-stage>`);
    const presenter = await fixture<HTMLDivElement>(html`
      <div>
        <ivs-stage id="camera" token=${await fetchToken({ stage: name, userId: 'ana' })}>
          <ivs-subscribe-rule user-id="ana (screen)" subscribe="none"></ivs-subscribe-rule>
          <ivs-local-stream publish></ivs-local-stream>
        </ivs-stage>
        <ivs-stage id="screen" subscribe="none" layout="none" token=${await fetchToken({ stage: name, userId: 'ana (screen)' })}>
          <ivs-local-stream source="screen" publish label="Ana's screen"></ivs-local-stream>
        </ivs-stage>
      </div>
    `);
    const screen = presenter.querySelector<IvsLocalStream>('ivs-local-stream[source="screen"]')!;
    await waitFor(() => screen.mediaStream, 'the screen captured');
    expect(screen.streams.map((s) => s.streamType)).to.deep.equal([StreamType.VIDEO]);
    expect(getComputedStyle(screen.shadowRoot!.querySelector('video')!).transform, 'not mirrored').to.equal('none');

    const camera = await tileFor(viewer, 'ana');
    const share = await tileFor(viewer, 'ana (screen)');
    await showsVideo(camera, 'ana');
    await showsVideo(share, 'the screen share');
    expect(share.streams.map((s) => s.streamType)).to.deep.equal([StreamType.VIDEO]);
    const cameraStage = presenter.querySelector<IvsStage>('#camera')!;
    await waitFor(() => cameraStage.participants.some((p) => p.info.userId === 'ana (screen)'), 'the share on the camera stage');
    await cameraStage.updateComplete;
    expect(tileOf(cameraStage, 'ana (screen)'), 'the presenter does not receive their own share').to.equal(undefined);

    // Stopping the share (as the browser's "Stop sharing" button does) unpublishes it.
    screen.mediaStream!.getVideoTracks()[0].dispatchEvent(new Event('ended'));
    await waitFor(() => share.streams.length === 0, 'the share to stop');
  });
});
