import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { IvsLocalStream, IvsStage, LocalStageStream, StageEvents, StageParticipantPublishState, StreamType } from '../../src/index.js';
import type { Stage } from '../../src/index.js';
import {
  afterEach,
  beforeEach,
  captured,
  countCalls,
  describe,
  it,
  localInfo,
  recordJoins,
  settle,
  unsignedToken,
} from './support.js';

describe('<ivs-local-stream>', () => {
  let joins: ReturnType<typeof recordJoins>;
  beforeEach(() => {
    joins = recordJoins();
  });
  afterEach(() => joins.restore());

  /** An <ivs-stage> with a token and one <ivs-local-stream> child, devices captured. */
  async function stageWithLocal(publish: boolean): Promise<{ stage: IvsStage & { stage: Stage }; local: IvsLocalStream }> {
    const stage = await fixture<IvsStage>(html`
      <ivs-stage token=${unsignedToken()}><ivs-local-stream ?publish=${publish}></ivs-local-stream></ivs-stage>
    `);
    const local = stage.querySelector('ivs-local-stream')!;
    await captured(local);
    await settle();
    return { stage: stage as IvsStage & { stage: Stage }, local };
  }

  describe('attributes', () => {
    it('treats publish and muted as boolean attributes', async () => {
      const el = await fixture<IvsLocalStream>(html`<ivs-local-stream publish muted></ivs-local-stream>`);
      expect(el.publish).to.equal(true);
      expect(el.muted).to.equal(true);
      el.publish = false;
      el.muted = false;
      await el.updateComplete;
      expect(el.hasAttribute('publish')).to.equal(false);
      expect(el.hasAttribute('muted')).to.equal(false);
      el.toggleAttribute('muted', true);
      await el.updateComplete;
      expect(el.muted).to.equal(true);
    });

    it('defaults to not publishing and not muted', async () => {
      const el = await fixture<IvsLocalStream>(html`<ivs-local-stream></ivs-local-stream>`);
      expect(el.publish).to.equal(false);
      expect(el.muted).to.equal(false);
      expect(el.getAttribute('publish-state')).to.equal('not_published');
    });
  });

  describe('capture', () => {
    it('captures camera and microphone into LocalStageStreams and shows a muted, mirrored preview', async () => {
      const el = await fixture<IvsLocalStream>(html`<ivs-local-stream></ivs-local-stream>`);
      await captured(el);
      await el.updateComplete;
      expect(el.streams.every((s) => s instanceof LocalStageStream)).to.equal(true);
      expect(el.streams.map((s) => s.streamType).sort()).to.deep.equal([StreamType.AUDIO, StreamType.VIDEO]);

      const video = el.shadowRoot!.querySelector('video')!;
      expect(video.srcObject).to.equal(el.mediaStream);
      expect(video.muted).to.equal(true);
      expect(video.hasAttribute('playsinline')).to.equal(true);
      expect(getComputedStyle(video).transform).to.equal('matrix(-1, 0, 0, 1, 0, 0)');
    });

    it('mutes and unmutes every stream through setMuted', async () => {
      const el = await fixture<IvsLocalStream>(html`<ivs-local-stream muted></ivs-local-stream>`);
      await captured(el);
      expect(el.streams.map((s) => s.isMuted)).to.deep.equal([true, true]);
      el.muted = false;
      await el.updateComplete;
      expect(el.streams.map((s) => s.isMuted)).to.deep.equal([false, false]);
      el.muted = true;
      await el.updateComplete;
      expect(el.streams.map((s) => s.isMuted)).to.deep.equal([true, true]);
    });

    it('stops its tracks when removed', async () => {
      const el = await fixture<IvsLocalStream>(html`<ivs-local-stream></ivs-local-stream>`);
      await captured(el);
      const tracks = el.mediaStream!.getTracks();
      expect(tracks.map((t) => t.readyState)).to.deep.equal(['live', 'live']);
      el.remove();
      await settle();
      expect(tracks.map((t) => t.readyState)).to.deep.equal(['ended', 'ended']);
      expect(el.streams).to.deep.equal([]);
    });

    it('keeps its tracks when moved', async () => {
      const el = await fixture<IvsLocalStream>(html`<ivs-local-stream></ivs-local-stream>`);
      await captured(el);
      const media = el.mediaStream;
      const box = document.createElement('div');
      el.parentElement!.append(box);
      el.remove();
      box.append(el);
      await settle();
      expect(el.mediaStream).to.equal(media);
      expect(media!.getTracks().map((t) => t.readyState)).to.deep.equal(['live', 'live']);
    });

    it('reports capture failures as ivs-local-stream-error', async () => {
      const el = document.createElement('ivs-local-stream');
      el.constraints = { video: { width: { exact: 123457 } } };
      const failed = oneEvent(el, 'ivs-local-stream-error');
      document.body.append(el);
      try {
        const event = await failed;
        expect(event.bubbles && event.composed).to.equal(true);
        expect((event.detail.error as DOMException).name).to.equal('OverconstrainedError');
        expect(el.streams).to.deep.equal([]);
      } finally {
        el.remove();
      }
    });
  });

  describe('inside <ivs-stage>', () => {
    it('is not published without the publish attribute', async () => {
      const { stage } = await stageWithLocal(false);
      expect(stage.strategy.shouldPublishParticipant(localInfo('me'))).to.equal(false);
      expect(stage.strategy.stageStreamsToPublish()).to.deep.equal([]);
    });

    it('is published with the publish attribute: one audio and one video stream', async () => {
      const { stage, local } = await stageWithLocal(true);
      expect(stage.strategy.shouldPublishParticipant(localInfo('me'))).to.equal(true);
      const streams = stage.strategy.stageStreamsToPublish();
      expect(streams.map((s) => s.streamType).sort()).to.deep.equal([StreamType.AUDIO, StreamType.VIDEO]);
      expect(streams.every((s) => local.streams.includes(s))).to.equal(true);
    });

    it('publishes at most one stream per type when several children publish', async () => {
      const { stage, local } = await stageWithLocal(true);
      const second = document.createElement('ivs-local-stream');
      second.publish = true;
      stage.append(second);
      await captured(second);
      const streams = stage.strategy.stageStreamsToPublish();
      expect(streams).to.have.length(2);
      expect(streams.every((s) => local.streams.includes(s)), 'the first child wins').to.equal(true);
      second.remove();
      await settle();
    });

    it('calls refreshStrategy when publish is toggled', async () => {
      const { stage, local } = await stageWithLocal(false);
      const refreshes = countCalls(stage.stage, 'refreshStrategy');
      local.publish = true;
      await local.updateComplete;
      await settle();
      expect(refreshes.count).to.equal(1);
      expect(stage.strategy.shouldPublishParticipant(localInfo('me'))).to.equal(true);
      local.toggleAttribute('publish', false);
      await local.updateComplete;
      await settle();
      expect(refreshes.count).to.equal(2);
      expect(stage.strategy.shouldPublishParticipant(localInfo('me'))).to.equal(false);
    });

    it('does not refresh the strategy when only muted changes', async () => {
      const { stage, local } = await stageWithLocal(true);
      const refreshes = countCalls(stage.stage, 'refreshStrategy');
      local.muted = true;
      await local.updateComplete;
      await settle();
      expect(refreshes.count).to.equal(0);
      expect(local.streams.every((s) => s.isMuted)).to.equal(true);
    });

    it('stops being published (with a refresh) when removed', async () => {
      const { stage, local } = await stageWithLocal(true);
      const refreshes = countCalls(stage.stage, 'refreshStrategy');
      local.remove();
      await settle();
      expect(refreshes.count).to.be.greaterThan(0);
      expect(stage.strategy.shouldPublishParticipant(localInfo('me'))).to.equal(false);
      expect(stage.strategy.stageStreamsToPublish()).to.deep.equal([]);
    });

    it('refreshes the strategy when a publishing child is added', async () => {
      const stage = (await fixture<IvsStage>(html`<ivs-stage token=${unsignedToken()}></ivs-stage>`)) as IvsStage & { stage: Stage };
      await settle();
      const refreshes = countCalls(stage.stage, 'refreshStrategy');
      const local = document.createElement('ivs-local-stream');
      local.publish = true;
      stage.append(local);
      await captured(local);
      await settle();
      expect(refreshes.count, 'on add and once the devices are ready').to.be.greaterThan(0);
      expect(stage.strategy.shouldPublishParticipant(localInfo('me'))).to.equal(true);
    });

    it('reflects the local publish state while published', async () => {
      const { stage, local } = await stageWithLocal(true);
      stage.stage.emit(StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, localInfo('me'), StageParticipantPublishState.PUBLISHED);
      await local.updateComplete;
      expect(local.getAttribute('publish-state')).to.equal('published');
      local.publish = false;
      await local.updateComplete;
      expect(local.getAttribute('publish-state')).to.equal('not_published');
    });

    it('finds a stage whose tag is defined after it (late upgrade)', async () => {
      const container = await fixture<HTMLDivElement>(html`<div></div>`);
      const tag = `late-ivs-stage-${Math.random().toString(36).slice(2, 8)}`;
      container.innerHTML = `<${tag}><ivs-local-stream publish></ivs-local-stream></${tag}>`;
      const local = container.querySelector('ivs-local-stream') as IvsLocalStream;
      await captured(local);
      await local.updateComplete;

      customElements.define(tag, class extends IvsStage {});
      const stage = container.querySelector(tag) as IvsStage;
      await stage.updateComplete;
      expect(stage.strategy.shouldPublishParticipant(localInfo('me'))).to.equal(true);
      expect(stage.strategy.stageStreamsToPublish().every((s) => local.streams.includes(s))).to.equal(true);
    });
  });

  describe('per-kind mute, devices and encoding', () => {
    const byKind = (el: IvsLocalStream, kind: StreamType) => el.streams.find((s) => s.streamType === kind)!;

    it('audio-muted and video-muted mute one kind; muted mutes both', async () => {
      const el = await fixture<IvsLocalStream>(html`<ivs-local-stream video-muted></ivs-local-stream>`);
      await captured(el);
      await el.updateComplete;
      expect([byKind(el, StreamType.AUDIO).isMuted, byKind(el, StreamType.VIDEO).isMuted]).to.deep.equal([false, true]);
      expect(el.shadowRoot!.querySelector<HTMLElement>('[part="placeholder"]')!.hidden, 'placeholder while the video is muted').to.equal(false);
      expect(el.shadowRoot!.querySelector('[part="video-off-icon"]')).to.not.equal(null);
      el.videoMuted = false;
      el.audioMuted = true;
      await el.updateComplete;
      expect([byKind(el, StreamType.AUDIO).isMuted, byKind(el, StreamType.VIDEO).isMuted]).to.deep.equal([true, false]);
      el.audioMuted = false;
      el.muted = true;
      await el.updateComplete;
      expect(el.streams.every((s) => s.isMuted)).to.equal(true);
    });

    it('maps max-bitrate, max-framerate and simulcast to the video stream options, and swaps the stream when they change', async () => {
      const { stage, local } = await stageWithLocal(true);
      const refreshes = countCalls(stage.stage, 'refreshStrategy');
      const first = byKind(local, StreamType.VIDEO);
      expect(first.options).to.deep.equal({});
      local.setAttribute('max-bitrate', '600');
      local.setAttribute('max-framerate', '15');
      local.toggleAttribute('simulcast', true);
      await local.updateComplete;
      await settle();
      const second = byKind(local, StreamType.VIDEO);
      expect(second).to.not.equal(first);
      expect(second.mediaStreamTrack, 'same camera track').to.equal(first.mediaStreamTrack);
      expect(second.options).to.deep.equal({ maxBitrate: 600, maxFramerate: 15, simulcast: { enabled: true } });
      expect(refreshes.count).to.equal(1);
      expect(stage.strategy.stageStreamsToPublish()).to.include(second);
    });

    it('a new video-device-id captures only the camera again and keeps the microphone', async () => {
      const { stage, local } = await stageWithLocal(true);
      const audio = byKind(local, StreamType.AUDIO);
      const video = byKind(local, StreamType.VIDEO);
      const [camera] = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
      const swapped = oneEvent(local, 'ivs-local-stream-ready');
      local.videoDeviceId = camera.deviceId;
      await swapped;
      expect(byKind(local, StreamType.AUDIO)).to.equal(audio);
      expect(byKind(local, StreamType.VIDEO)).to.not.equal(video);
      expect(video.mediaStreamTrack.readyState).to.equal('ended');
      expect(byKind(local, StreamType.VIDEO).mediaStreamTrack.getSettings().deviceId).to.equal(camera.deviceId);
      expect(stage.strategy.stageStreamsToPublish()).to.include(byKind(local, StreamType.VIDEO));
    });

    it('ignores device attributes for a screen share', async () => {
      const el = await fixture<IvsLocalStream>(html`<ivs-local-stream source="screen"></ivs-local-stream>`);
      await captured(el);
      const screen = el.streams[0].mediaStreamTrack;
      const [camera] = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
      el.videoDeviceId = camera.deviceId;
      await el.updateComplete;
      // A capture of our own, asked for after any the element would have started, completes after it.
      (await navigator.mediaDevices.getUserMedia({ video: { deviceId: camera.deviceId } })).getTracks().forEach((t) => t.stop());
      await settle();
      expect(el.streams.map((s) => s.mediaStreamTrack)).to.deep.equal([screen]);
      expect(screen.readyState).to.equal('live');
    });

    it('is accessible while muted', async () => {
      const el = await fixture<IvsLocalStream>(html`<ivs-local-stream audio-muted video-muted label="Ada"></ivs-local-stream>`);
      await captured(el);
      await el.updateComplete;
      expect(el.shadowRoot!.querySelector('[part="label"]')!.textContent).to.contain('microphone muted').and.contain('camera off');
      await expect(el).to.be.accessible();
    });
  });

  it('is accessible', async () => {
    const el = await fixture<IvsLocalStream>(html`<ivs-local-stream muted label="Ada Lovelace"></ivs-local-stream>`);
    await captured(el);
    await el.updateComplete;
    await expect(el).to.be.accessible();
  });
});
