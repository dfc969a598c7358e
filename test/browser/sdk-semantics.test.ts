import { expect } from '@open-wc/testing';
import {
  JitterBufferMinDelay,
  LocalStageStream,
  type RemoteStageStream,
  Stage,
  StageErrorCode,
  StageEvents,
  StageLeftReason,
  type StageParticipantInfo,
  type StageStream,
  type StageStrategy,
  StreamType,
  SubscribeType,
} from '../../src/sdk/index.js';
import { fakeCameraAndMic, inbound } from '../helpers/media.js';
import { nextEvent, recordEvents, sleep, waitFor } from '../helpers/stage-events.js';
import { type DevParticipant, fetchParticipant, shortLivedToken, stageControl, uniqueStageName } from '../helpers/stage-server.js';

const ALL_EVENTS = Object.values(StageEvents);

/** A strategy that neither publishes nor subscribes: for joins whose outcome alone matters. */
const NOTHING: StageStrategy = {
  stageStreamsToPublish: () => [],
  shouldPublishParticipant: () => false,
  shouldSubscribeToParticipant: () => SubscribeType.NONE,
};

/** A participant whose strategy a test changes by mutating `want`. */
interface Peer {
  stage: Stage;
  stageName: string;
  dev: DevParticipant;
  want: { publish: boolean; subscribe: SubscribeType; streams: LocalStageStream[] };
  media: MediaStream;
}

const live: Peer[] = [];

async function peer(stageName: string, userId: string, options: { publish?: boolean; attributes?: Record<string, string> } = {}): Promise<Peer> {
  const media = await fakeCameraAndMic();
  const want = {
    publish: options.publish ?? true,
    subscribe: SubscribeType.AUDIO_VIDEO,
    streams: media.getTracks().map((track) => new LocalStageStream(track)),
  };
  const strategy: StageStrategy = {
    stageStreamsToPublish: () => want.streams,
    shouldPublishParticipant: () => want.publish,
    shouldSubscribeToParticipant: () => want.subscribe,
  };
  const dev = await fetchParticipant({ stage: stageName, userId, attributes: options.attributes });
  const p = { stage: new Stage(dev.token, strategy), stageName, dev, want, media };
  live.push(p);
  return p;
}

function streamsOf(stage: Stage, userId: string, kinds: StreamType[]): Promise<StageStream[]> {
  return nextEvent<[StageParticipantInfo, StageStream[]]>(
    stage,
    StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED,
    (info, streams) => info.userId === userId && kinds.every((k) => streams.some((s) => s.streamType === k)),
  ).then(([, streams]) => streams);
}

function ofType(streams: StageStream[], type: StreamType): StageStream {
  return streams.find((s) => s.streamType === type)!;
}

/** Counts what the page sends over the network (HTTP and WebSocket) and every offer it makes. */
function watchTraffic(): { count(): number; restore(): void } {
  let count = 0;
  const fetch = window.fetch;
  const send = WebSocket.prototype.send;
  const offer = RTCPeerConnection.prototype.createOffer;
  window.fetch = (...args: Parameters<typeof fetch>) => (count++, fetch(...args));
  WebSocket.prototype.send = function (this: WebSocket, data) {
    count++;
    return send.call(this, data);
  };
  RTCPeerConnection.prototype.createOffer = function (this: RTCPeerConnection, ...args: unknown[]) {
    count++;
    return (offer as (...a: unknown[]) => Promise<RTCSessionDescriptionInit>).apply(this, args);
  } as unknown as typeof offer;
  return {
    count: () => count,
    restore() {
      window.fetch = fetch;
      WebSocket.prototype.send = send;
      RTCPeerConnection.prototype.createOffer = offer;
    },
  };
}

/** Two participants on a fresh stage, each receiving the other's audio and video. */
async function pair(): Promise<{ alice: Peer; bob: Peer; bobSeesAlice: StageStream[]; aliceSeesBob: StageStream[] }> {
  const name = uniqueStageName('sdk');
  const alice = await peer(name, 'alice', { attributes: { role: 'host' } });
  const bob = await peer(name, 'bob');
  const bobGets = streamsOf(bob.stage, 'alice', [StreamType.AUDIO, StreamType.VIDEO]);
  const aliceGets = streamsOf(alice.stage, 'bob', [StreamType.AUDIO, StreamType.VIDEO]);
  await alice.stage.join();
  await bob.stage.join();
  return { alice, bob, bobSeesAlice: await bobGets, aliceSeesBob: await aliceGets };
}

async function framesAdvance(stream: StageStream): Promise<boolean> {
  const before = await inbound(stream, 'framesDecoded');
  await sleep(1500);
  return (await inbound(stream, 'framesDecoded')) > before;
}

describe('Stage semantics through the real server', () => {
  afterEach(async () => {
    for (const p of live.splice(0)) {
      await p.stage.leave();
      p.media.getTracks().forEach((t) => t.stop());
    }
  });

  it('announces the local participant with isLocal, its token details and its published streams', async () => {
    const name = uniqueStageName('sdk');
    const alice = await peer(name, 'alice', { attributes: { role: 'host' } });
    const joined = nextEvent<[StageParticipantInfo]>(alice.stage, StageEvents.STAGE_PARTICIPANT_JOINED);
    const added = nextEvent<[StageParticipantInfo, StageStream[]]>(alice.stage, StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED);
    await alice.stage.join();
    const [info] = await joined;
    expect(info.isLocal).to.equal(true);
    expect(info.id).to.equal(alice.dev.participantId);
    expect(info.userId).to.equal('alice');
    expect(info.attributes).to.deep.equal({ role: 'host' });
    expect(info.capabilities.has('publish') && info.capabilities.has('subscribe')).to.equal(true);
    const [addedInfo, streams] = await added;
    expect(addedInfo).to.equal(info);
    expect(streams).to.have.members(alice.want.streams);
    const stats = await ofType(streams, StreamType.VIDEO).getStats();
    expect([...stats.values()].some((s) => s.type === 'outbound-rtp'), 'local stats come from the sender').to.equal(true);
    const requested = await ofType(streams, StreamType.AUDIO).requestRTCStats();
    expect([...requested.values()].some((s) => s.type === 'outbound-rtp' && s.kind === 'audio'), 'requestRTCStats is the same report').to.equal(true);
  });

  it('does nothing at all on a refresh that changes nothing', async () => {
    const { alice, bob, bobSeesAlice } = await pair();
    await waitFor(() => inbound(ofType(bobSeesAlice, StreamType.VIDEO), 'framesDecoded'), 'remote stats from the receiver');
    const remoteVideo = ofType(bobSeesAlice, StreamType.VIDEO) as RemoteStageStream;
    expect([remoteVideo.getLayers(), remoteVideo.getSelectedLayer(), remoteVideo.isAdapting], 'one layer, no adaptation').to.deep.equal([[], undefined, false]);
    const events = [...recordEvents(alice.stage, ALL_EVENTS), ...recordEvents(bob.stage, ALL_EVENTS)];
    const traffic = watchTraffic();
    try {
      for (let i = 0; i < 20; i++) {
        alice.stage.refreshStrategy();
        bob.stage.refreshStrategy();
      }
      await sleep(500);
    } finally {
      traffic.restore();
    }
    expect(traffic.count(), 'network messages and offers').to.equal(0);
    expect(events).to.deep.equal([]);
  });

  it('swaps in a new LocalStageStream without a new publish connection, and applies its mute state', async () => {
    const { alice, bob } = await pair();
    const media = await fakeCameraAndMic();
    alice.media.getTracks().forEach((t) => t.stop());
    alice.media = media;
    const [oldAudio, oldVideo] = [StreamType.AUDIO, StreamType.VIDEO].map((t) => alice.want.streams.find((s) => s.streamType === t)!);
    const newVideo = new LocalStageStream(media.getVideoTracks()[0]);
    newVideo.setMuted(true);
    const local = recordEvents(alice.stage, [StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED, StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED]);
    const remoteMute = nextEvent<[StageParticipantInfo, StageStream]>(bob.stage, StageEvents.STAGE_STREAM_MUTE_CHANGED);
    const traffic = watchTraffic();
    try {
      alice.want.streams = [oldAudio, newVideo];
      alice.stage.refreshStrategy();
      const [info, stream] = await remoteMute;
      expect(info.videoStopped, 'the info is updated before the event').to.equal(true);
      expect(stream.streamType).to.equal(StreamType.VIDEO);
      expect(stream.isMuted).to.equal(true);
    } finally {
      traffic.restore();
    }
    expect(local.map(([event, , streams]) => [event, streams])).to.deep.equal([
      [StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED, [oldVideo]],
      [StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, [newVideo]],
    ]);
    expect(traffic.count(), 'only the mute message was sent').to.equal(1);
  });

  it('mutes: the remote side sees MUTE_CHANGED, a muted video sends no frames, unmuting shows video again', async () => {
    const { alice, bob, bobSeesAlice } = await pair();
    const video = alice.want.streams.find((s) => s.streamType === StreamType.VIDEO)!;
    const audio = alice.want.streams.find((s) => s.streamType === StreamType.AUDIO)!;
    const remoteVideo = ofType(bobSeesAlice, StreamType.VIDEO);
    await waitFor(() => inbound(remoteVideo, 'framesDecoded'), 'first frames');

    const muted = nextEvent<[StageParticipantInfo, StageStream]>(bob.stage, StageEvents.STAGE_STREAM_MUTE_CHANGED);
    audio.setMuted(true);
    const [info, stream] = await muted;
    expect(info.audioMuted).to.equal(true);
    expect(stream).to.equal(ofType(bobSeesAlice, StreamType.AUDIO));
    expect(stream.isMuted).to.equal(true);

    const stopped = nextEvent(bob.stage, StageEvents.STAGE_STREAM_MUTE_CHANGED, (i: StageParticipantInfo) => i.videoStopped);
    video.setMuted(true);
    await stopped;
    await sleep(500);
    expect(await framesAdvance(remoteVideo), 'frames while muted').to.equal(false);

    video.setMuted(false);
    await waitFor(() => framesAdvance(remoteVideo), 'frames after unmuting');
    expect(remoteVideo.isMuted).to.equal(false);
  });

  it('leave() removes every stream and participant, then disconnects and reports user-initiated', async () => {
    const connections: RTCPeerConnection[] = [];
    const NativePeerConnection = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends NativePeerConnection {
      constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
        super(...args);
        connections.push(this);
      }
    };
    let alice: Peer, bob: Peer, aliceSeesBob: StageStream[];
    try {
      ({ alice, bob, aliceSeesBob } = await pair());
    } finally {
      window.RTCPeerConnection = NativePeerConnection;
    }
    const log = recordEvents(alice.stage, ALL_EVENTS);
    await alice.stage.leave();
    const names = log.map(([event]) => event);
    const removed = log.filter(([event]) => event === StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED).flatMap(([, , streams]) => streams as StageStream[]);
    expect(removed).to.include.members([...aliceSeesBob, ...alice.want.streams]);
    expect(log.filter(([event]) => event === StageEvents.STAGE_PARTICIPANT_LEFT).map(([, info]) => (info as StageParticipantInfo).userId)).to.deep.equal(['bob']);
    expect(names.slice(-2)).to.deep.equal([StageEvents.STAGE_CONNECTION_STATE_CHANGED, StageEvents.STAGE_LEFT]);
    expect(log.at(-2)![1]).to.equal('disconnected');
    expect(log.at(-1)![1]).to.equal(StageLeftReason.USER_INITIATED);

    await bob.stage.leave();
    expect(connections.length, 'two publishers, two subscriptions').to.equal(4);
    expect(connections.map((pc) => pc.signalingState)).to.deep.equal(['closed', 'closed', 'closed', 'closed']);
  });

  it('exchangeToken applies new attributes and capabilities without leaving', async () => {
    const { alice, bob } = await pair();
    const metadata = nextEvent<[StageParticipantInfo]>(bob.stage, StageEvents.STAGE_PARTICIPANT_METADATA_CHANGED);
    const unpublished = nextEvent(bob.stage, StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, (_: unknown, state: string) => state === 'not_published');
    const localMetadata = nextEvent<[StageParticipantInfo]>(alice.stage, StageEvents.STAGE_PARTICIPANT_METADATA_CHANGED);
    const next = await fetchParticipant({
      stage: alice.stageName,
      participantId: alice.dev.participantId,
      userId: 'alice',
      attributes: { role: 'viewer' },
      publish: false,
    });
    await alice.stage.exchangeToken(next.token);
    const [local] = await localMetadata;
    expect(local.isLocal && local.attributes.role).to.equal('viewer');
    expect(local.capabilities.has('publish')).to.equal(false);
    const [remote] = await metadata;
    expect(remote.attributes).to.deep.equal({ role: 'viewer' });
    await unpublished;
  });

  it('refuses exchangeToken for another participant (TOKEN_EXCHANGE_REQUEST_INVALID) and stays joined', async () => {
    const { alice, bob } = await pair();
    let error: unknown;
    try {
      await alice.stage.exchangeToken(bob.dev.token);
    } catch (e) {
      error = e;
    }
    expect((error as { code?: number }).code).to.equal(StageErrorCode.TOKEN_EXCHANGE_REQUEST_INVALID);
    const left = recordEvents(alice.stage, [StageEvents.STAGE_LEFT]);
    await sleep(300);
    expect(left).to.deep.equal([]);
  });

  it('leaves with failed-exchange when the server refuses the new token', async () => {
    const { alice } = await pair();
    const [header, payload] = alice.dev.token.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(128)}`; // same claims, signature not the server's
    const left = nextEvent<[string]>(alice.stage, StageEvents.STAGE_LEFT);
    let error: unknown;
    try {
      await alice.stage.exchangeToken(forged);
    } catch (e) {
      error = e;
    }
    expect((error as { code?: number }).code).to.equal(StageErrorCode.TOKEN_EXCHANGE_FAILED);
    expect((await left)[0]).to.equal(StageLeftReason.FAILED_EXCHANGE);
  });

  it('reports TOKEN_EXPIRED and leaves when its token expires mid-session, and stays when exchanged in time', async () => {
    const name = uniqueStageName('expiry');
    const expiring = await fetchParticipant({ stage: name, userId: 'expiring' });
    const renewed = await fetchParticipant({ stage: name, userId: 'renewed' });
    const first = new Stage(await shortLivedToken(expiring, 3), NOTHING);
    const second = new Stage(await shortLivedToken(renewed, 3), NOTHING);
    const errors: number[] = [];
    first.on(StageEvents.ERROR, (error: { code: number }) => errors.push(error.code));
    const left = nextEvent<[string]>(first, StageEvents.STAGE_LEFT);
    await first.join();
    await second.join();
    await second.exchangeToken(renewed.token);
    const secondLeft = recordEvents(second, [StageEvents.STAGE_LEFT]);
    expect((await left)[0]).to.equal(StageLeftReason.UNKNOWN);
    expect(errors).to.deep.equal([StageErrorCode.TOKEN_EXPIRED]);
    await sleep(1500);
    expect(secondLeft).to.deep.equal([]);
    second.leave();
  });

  it('replaceStrategy swaps the strategy and applies only the difference', async () => {
    const { bob } = await pair();
    const removed = nextEvent<[StageParticipantInfo, StageStream[]]>(bob.stage, StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED);
    const traffic = watchTraffic();
    try {
      bob.stage.replaceStrategy({
        stageStreamsToPublish: () => bob.want.streams,
        shouldPublishParticipant: () => true,
        shouldSubscribeToParticipant: () => SubscribeType.AUDIO_ONLY,
      });
      const [info, streams] = await removed;
      expect(info.userId).to.equal('alice');
      expect(streams.map((x) => x.streamType)).to.deep.equal([StreamType.VIDEO]);
    } finally {
      traffic.restore();
    }
    expect(traffic.count(), 'one subscription update, no new connection').to.equal(1);
  });

  it('leaves with stage-deleted when the stage is deleted, and a later join fails with STAGE_DELETED', async () => {
    const { alice } = await pair();
    const left = nextEvent<[string]>(alice.stage, StageEvents.STAGE_LEFT);
    await stageControl('DeleteStage', { arn: alice.dev.stageArn });
    expect((await left)[0]).to.equal(StageLeftReason.STAGE_DELETED);
    let error: unknown;
    try {
      await new Stage(alice.dev.token, NOTHING).join();
    } catch (e) {
      error = e;
    }
    expect((error as { code?: number }).code).to.equal(StageErrorCode.STAGE_DELETED);
  });

  it('leaves with participant-disconnected when disconnected, and that token never joins again', async () => {
    const { alice } = await pair();
    const left = nextEvent<[string]>(alice.stage, StageEvents.STAGE_LEFT);
    await stageControl('DisconnectParticipant', { stageArn: alice.dev.stageArn, participantId: alice.dev.participantId });
    expect((await left)[0]).to.equal(StageLeftReason.PARTICIPANT_DISCONNECTED);
    let error: unknown;
    try {
      await new Stage(alice.dev.token, NOTHING).join();
    } catch (e) {
      error = e;
    }
    expect((error as { code?: number }).code).to.equal(StageErrorCode.PARTICIPANT_DISCONNECTED);
  });

  it('refuses a 13th publisher with STAGE_AT_CAPACITY', async () => {
    const name = uniqueStageName('full');
    const [microphone] = (await navigator.mediaDevices.getUserMedia({ audio: true })).getAudioTracks();
    const publisher = async (i: number) => {
      const dev = await fetchParticipant({ stage: name, userId: `p${i}` });
      const stream = new LocalStageStream(microphone.clone());
      const stage = new Stage(dev.token, {
        stageStreamsToPublish: () => [stream],
        shouldPublishParticipant: () => true,
        shouldSubscribeToParticipant: () => SubscribeType.NONE,
      });
      live.push({ stage, stageName: name, dev, want: { publish: true, subscribe: SubscribeType.NONE, streams: [stream] }, media: new MediaStream([stream.mediaStreamTrack]) });
      return stage;
    };
    for (let i = 0; i < 12; i++) {
      const stage = await publisher(i);
      const published = nextEvent(stage, StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, (p: StageParticipantInfo, state: string) => p.isLocal && state === 'published');
      await stage.join();
      await published;
    }
    const thirteenth = await publisher(12);
    const refused = nextEvent<[{ code: number; category: string }]>(thirteenth, StageEvents.ERROR);
    await thirteenth.join();
    const [error] = await refused;
    expect(error.code).to.equal(StageErrorCode.STAGE_AT_CAPACITY);
    expect(error.category).to.equal('PUBLISH_ERROR');
    microphone.stop();
  });

  it('a second connection with the same token makes the first leave with token-reused', async () => {
    const { alice } = await pair();
    const left = nextEvent<[string]>(alice.stage, StageEvents.STAGE_LEFT);
    const again = new Stage(alice.dev.token, NOTHING);
    await again.join();
    expect((await left)[0]).to.equal(StageLeftReason.TOKEN_REUSED);
    await again.leave();
  });

  it('applies subscribeConfiguration jitter buffer delay to a viewer that does not publish', async () => {
    const { alice } = await pair();
    /** Mean target delay (ms) the receiver's jitter buffer has aimed at so far. */
    async function meanTargetDelayMs(configured?: JitterBufferMinDelay | number): Promise<number> {
      const dev = await fetchParticipant({ stage: alice.stageName, publish: false });
      const stage = new Stage(dev.token, {
        stageStreamsToPublish: () => [],
        shouldPublishParticipant: () => false,
        shouldSubscribeToParticipant: () => SubscribeType.AUDIO_VIDEO,
        subscribeConfiguration: () => ({ jitterBuffer: { minDelay: configured } }),
      });
      live.push({ stage, stageName: alice.stageName, dev, want: alice.want, media: new MediaStream() });
      const streams = streamsOf(stage, 'alice', [StreamType.VIDEO]);
      await stage.join();
      const video = ofType(await streams, StreamType.VIDEO);
      await waitFor(async () => (await inbound(video, 'framesDecoded')) > 60, 'two seconds of video');
      for (const stat of (await video.getStats()).values()) {
        if (stat.type === 'inbound-rtp') return (stat.jitterBufferTargetDelay / stat.jitterBufferEmittedCount) * 1000;
      }
      throw new Error('no inbound-rtp stats');
    }
    const byDefault = await meanTargetDelayMs();
    const high = await meanTargetDelayMs(JitterBufferMinDelay.HIGH);
    const custom = await meanTargetDelayMs(800);
    expect(high, `HIGH (${high} ms) vs default (${byDefault} ms)`).to.be.above(byDefault + 200);
    expect(custom, `800 ms (${custom} ms) vs HIGH (${high} ms)`).to.be.above(high + 150);
  });

  it('rejoins on its own after the events channel drops, and media flows again', async () => {
    const sockets: WebSocket[] = [];
    const NativeWebSocket = window.WebSocket;
    window.WebSocket = class extends NativeWebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        sockets.push(this);
      }
    };
    let alice: Peer, bob: Peer;
    try {
      ({ alice, bob } = await pair());
    } finally {
      window.WebSocket = NativeWebSocket;
    }
    const states: string[] = [];
    alice.stage.on(StageEvents.STAGE_CONNECTION_STATE_CHANGED, (state: string) => states.push(state));
    const bobSeesAliceAgain = streamsOf(bob.stage, 'alice', [StreamType.AUDIO, StreamType.VIDEO]);
    const aliceSeesBobAgain = streamsOf(alice.stage, 'bob', [StreamType.VIDEO]);
    const aliceSocket = sockets.find((ws) => ws.readyState === WebSocket.OPEN)!;
    aliceSocket.close(); // as a network drop would, without the SDK asking

    const video = ofType(await bobSeesAliceAgain, StreamType.VIDEO);
    await waitFor(() => inbound(video, 'framesDecoded'), 'alice’s video after the rejoin');
    await waitFor(async () => inbound(ofType(await aliceSeesBobAgain, StreamType.VIDEO), 'framesDecoded'), 'bob’s video after the rejoin');
    expect(states).to.deep.equal(['errored', 'connecting', 'connected']);
  });

  it('runs a second Stage with its own token beside the first (screen share)', async () => {
    const { alice, bob, bobSeesAlice } = await pair();
    const share = await peer(alice.stageName, 'alice-screen');
    share.want.streams = share.want.streams.filter((s) => s.streamType === StreamType.VIDEO);
    const bobSeesShare = streamsOf(bob.stage, 'alice-screen', [StreamType.VIDEO]);
    await share.stage.join();
    const [video] = await bobSeesShare;
    await waitFor(() => inbound(video, 'framesDecoded'), 'screen share frames');
    expect(await framesAdvance(ofType(bobSeesAlice, StreamType.VIDEO)), 'the camera keeps flowing beside the share').to.equal(true);
  });
});

