/**
 * Application code in the style of the IVS publish/subscribe guide, written
 * against the published package (`open-ivs-stage/sdk`: the built bundle and
 * its .d.ts), so what compiles and runs here is what an app swapping its
 * import gets.
 */
import { expect } from '@open-wc/testing';
import {
  LocalStageStream,
  Stage,
  StageConnectionState,
  StageEvents,
  type StageParticipantInfo,
  type StageStream,
  type StageStrategy,
  StreamType,
  SubscribeType,
} from 'open-ivs-stage/sdk';
import { fetchParticipant, uniqueStageName } from '../helpers/stage-server.js';

/** The guide's full strategy example: publish the webcam, subscribe to everyone, tracks replaceable later. */
class WebcamStrategy implements StageStrategy {
  hasTappedPublish = true;
  constructor(
    public audioTrack: LocalStageStream,
    public videoTrack: LocalStageStream,
  ) {}
  updateTracks(audio: LocalStageStream, video: LocalStageStream): void {
    this.audioTrack = audio;
    this.videoTrack = video;
  }
  stageStreamsToPublish(): LocalStageStream[] {
    return [this.audioTrack, this.videoTrack];
  }
  shouldPublishParticipant(): boolean {
    return this.hasTappedPublish;
  }
  shouldSubscribeToParticipant(participant: StageParticipantInfo): SubscribeType {
    // Role-based subscription from token attributes, as in the guide.
    switch (participant.attributes.role) {
      case 'moderator':
        return SubscribeType.NONE;
      case 'guest':
        return SubscribeType.AUDIO_VIDEO;
      default:
        return SubscribeType.NONE;
    }
  }
}

/** The guide's subclassing pattern: a stage that keeps a UI model and wires buttons to unbound methods. */
class CustomStage extends Stage {
  readonly tiles = new Map<string, MediaStream>();
  joinCalls = 0;

  constructor(token: string, strategy: StageStrategy, leaveButton: HTMLButtonElement, refreshButton: HTMLButtonElement) {
    super(token, strategy);
    leaveButton.addEventListener('click', this.leave);
    refreshButton.addEventListener('click', this.refreshStrategy);
    this.on(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, (participant: StageParticipantInfo, streams: StageStream[]) => {
      // Exclude the local audio, or the page hears itself.
      const shown = participant.isLocal ? streams.filter((s) => s.streamType === StreamType.VIDEO) : streams;
      const media = this.tiles.get(participant.id) ?? new MediaStream();
      shown.forEach((s) => media.addTrack(s.mediaStreamTrack));
      this.tiles.set(participant.id, media);
      this.emit('tilesChanged', this.tiles.size);
    });
    this.on(StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED, (participant: StageParticipantInfo, streams: StageStream[]) => {
      const media = this.tiles.get(participant.id);
      streams.forEach((s) => media?.removeTrack(s.mediaStreamTrack));
    });
  }

  override async join(): Promise<void> {
    this.joinCalls++;
    return super.join();
  }
}

async function webcam(): Promise<{ audio: LocalStageStream; video: LocalStageStream; stop(): void }> {
  const devices = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: { max: 1280 }, height: { max: 720 } } });
  return {
    audio: new LocalStageStream(devices.getAudioTracks()[0]),
    video: new LocalStageStream(devices.getVideoTracks()[0], { maxBitrate: 1500, maxFramerate: 30 }),
    stop: () => devices.getTracks().forEach((t) => t.stop()),
  };
}

function when<T extends unknown[]>(stage: Stage, event: string, accept: (...args: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const listener = (...args: unknown[]) => {
      if (!accept(...(args as T))) return;
      stage.off(event, listener);
      resolve(args as T);
    };
    stage.on(event, listener);
  });
}

function framesDecoded(stats: RTCStatsReport): number {
  let frames = 0;
  stats.forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') frames = s.framesDecoded;
  });
  return frames;
}

describe('the guide’s examples against the built package', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  it('runs a guest / moderator stage with publish on tap, mute, getStats, screen share and a subclassed stage', async () => {
    const name = uniqueStageName('guide');
    const leaveButton = document.createElement('button');
    const refreshButton = document.createElement('button');

    const guestMedia = await webcam();
    cleanup.push(guestMedia.stop);
    const guest = await fetchParticipant({ stage: name, userId: 'guest-1', attributes: { role: 'guest' } });
    const guestStage = new CustomStage(guest.token, new WebcamStrategy(guestMedia.audio, guestMedia.video), leaveButton, refreshButton);
    cleanup.push(() => guestStage.leave());

    const modMedia = await webcam();
    cleanup.push(modMedia.stop);
    const modStrategy = new WebcamStrategy(modMedia.audio, modMedia.video);
    modStrategy.shouldSubscribeToParticipant = (p) => (p.attributes.role === 'guest' ? SubscribeType.AUDIO_VIDEO : SubscribeType.NONE);
    modStrategy.hasTappedPublish = false;
    const moderator = await fetchParticipant({ stage: name, userId: 'mod', attributes: { role: 'moderator' } });
    const modStage = new Stage(moderator.token, modStrategy);
    cleanup.push(() => modStage.leave());

    const modSeesGuest = when<[StageParticipantInfo, StageStream[]]>(modStage, StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, (p) => p.userId === 'guest-1');
    await guestStage.join();
    await modStage.join();
    expect(guestStage.joinCalls).to.equal(1);
    const [, streams] = await modSeesGuest;
    const video = streams.find((s) => s.streamType === StreamType.VIDEO)!;

    // getStats on a subscribed stream is a real RTCStatsReport.
    let frames = 0;
    for (let i = 0; i < 100 && frames === 0; i++) {
      frames = framesDecoded(await video.getStats());
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(frames, 'the moderator decodes the guest').to.be.above(0);

    // Mute, as the guide shows: the remote side learns through STAGE_STREAM_MUTE_CHANGED.
    const muted = when<[StageParticipantInfo, StageStream]>(modStage, StageEvents.STAGE_STREAM_MUTE_CHANGED, (_p, s) => s.streamType === 'audio' && s.isMuted);
    guestMedia.audio.setMuted(true);
    const [mutedGuest] = await muted;
    expect(mutedGuest.audioMuted).to.equal(true);

    // Publish on tap: the moderator publishes only after "tapping", and guests still do not subscribe to it.
    const modPublished = when(modStage, StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, (p: StageParticipantInfo, state: string) => p.isLocal && state === 'published');
    modStrategy.hasTappedPublish = true;
    modStage.refreshStrategy();
    await modPublished;
    const guestSubscriptions: string[] = [];
    guestStage.on(StageEvents.STAGE_PARTICIPANT_SUBSCRIBE_STATE_CHANGED, (p: StageParticipantInfo, state: string) => guestSubscriptions.push(`${p.userId}:${state}`));
    refreshButton.click();
    await new Promise((r) => setTimeout(r, 500));
    expect(guestSubscriptions, 'the moderator stays invisible to guests').to.deep.equal([]);

    // Screen share with a second token, beside the camera stage.
    const share = await fetchParticipant({ stage: name, userId: 'guest-1-screen', attributes: { role: 'guest' } });
    const screen = new LocalStageStream((await navigator.mediaDevices.getUserMedia({ video: true })).getVideoTracks()[0]);
    cleanup.push(() => screen.mediaStreamTrack.stop());
    const shareStage = new Stage(share.token, {
      stageStreamsToPublish: () => [screen],
      shouldPublishParticipant: () => true,
      shouldSubscribeToParticipant: () => SubscribeType.NONE,
    });
    cleanup.push(() => shareStage.leave());
    const tiles = new Promise<number>((resolve) => guestStage.on('tilesChanged', (count: number) => count >= 2 && resolve(count)));
    await shareStage.join();
    expect(await tiles, 'the guest renders its own camera and the share').to.be.at.least(2);

    // A button wired to the unbound leave().
    const left = when(guestStage, StageEvents.STAGE_CONNECTION_STATE_CHANGED, (state: string) => state === StageConnectionState.DISCONNECTED);
    leaveButton.click();
    await left;
  });
});
