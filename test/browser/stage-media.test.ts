import { expect } from '@open-wc/testing';
import {
  LocalStageStream,
  Stage,
  StageConnectionState,
  StageEvents,
  StageParticipantPublishState,
  type StageParticipantInfo,
  type StageStream,
  StreamType,
  SubscribeType,
} from '../../src/sdk/index.js';
import { fakeCameraAndMic, inbound } from '../helpers/media.js';
import { nextEvent, recordEvents, sleep, waitFor } from '../helpers/stage-events.js';
import { fetchToken, uniqueStageName } from '../helpers/stage-server.js';

interface Participant {
  stage: Stage;
  strategy: { subscribe: SubscribeType; publish: boolean };
  media: MediaStream;
}

async function participant(stageName: string, userId: string, publishAllowed = true): Promise<Participant> {
  const media = await fakeCameraAndMic();
  const streams = media.getTracks().map((track) => new LocalStageStream(track));
  const strategy = {
    subscribe: SubscribeType.AUDIO_VIDEO,
    publish: true,
    stageStreamsToPublish: () => streams,
    shouldPublishParticipant() {
      return strategy.publish;
    },
    shouldSubscribeToParticipant() {
      return strategy.subscribe;
    },
  };
  const token = await fetchToken({ stage: stageName, userId, publish: publishAllowed });
  return { stage: new Stage(token, strategy), strategy, media };
}

function remoteStreams(stage: Stage, userId: string, kinds: StreamType[]): Promise<StageStream[]> {
  return nextEvent<[StageParticipantInfo, StageStream[]]>(
    stage,
    StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED,
    (info, streams) => !info.isLocal && info.userId === userId && kinds.every((k) => streams.some((s) => s.streamType === k)),
  ).then(([, streams]) => streams);
}

describe('Stage: two participants through the real server', () => {
  const cleanups: Array<() => void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });
  function track(p: Participant): Participant {
    cleanups.push(() => {
      void p.stage.leave();
      p.media.getTracks().forEach((t) => t.stop());
    });
    return p;
  }

  it('exchanges audio and video both ways', async () => {
    const name = uniqueStageName();
    const alice = track(await participant(name, 'alice'));
    const bob = track(await participant(name, 'bob'));
    const aliceGetsBob = remoteStreams(alice.stage, 'bob', [StreamType.AUDIO, StreamType.VIDEO]);
    const bobGetsAlice = remoteStreams(bob.stage, 'alice', [StreamType.AUDIO, StreamType.VIDEO]);
    const connected = nextEvent(alice.stage, StageEvents.STAGE_CONNECTION_STATE_CHANGED, (s) => s === StageConnectionState.CONNECTED);
    await alice.stage.join();
    await connected;
    await bob.stage.join();

    for (const streams of [await aliceGetsBob, await bobGetsAlice]) {
      const video = streams.find((s) => s.streamType === StreamType.VIDEO)!;
      const audio = streams.find((s) => s.streamType === StreamType.AUDIO)!;
      const first = await waitFor(() => inbound(video, 'framesDecoded'), 'decoded video frames');
      await waitFor(async () => (await inbound(video, 'framesDecoded')) > first, 'more decoded frames');
      await waitFor(async () => (await inbound(audio, 'packetsReceived')) > 10, 'audio packets');
    }
  });

  it('AUDIO_VIDEO → AUDIO_ONLY removes only the video stream', async () => {
    const name = uniqueStageName();
    const alice = track(await participant(name, 'alice'));
    const bob = track(await participant(name, 'bob'));
    const bobGetsAlice = remoteStreams(bob.stage, 'alice', [StreamType.AUDIO, StreamType.VIDEO]);
    await alice.stage.join();
    await bob.stage.join();
    const [audio] = (await bobGetsAlice).filter((s) => s.streamType === StreamType.AUDIO);

    const removed = nextEvent<[StageParticipantInfo, StageStream[]]>(bob.stage, StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED);
    bob.strategy.subscribe = SubscribeType.AUDIO_ONLY;
    bob.stage.refreshStrategy();
    const [info, streams] = await removed;
    expect(info.userId).to.equal('alice');
    expect(streams.map((s) => s.streamType)).to.deep.equal([StreamType.VIDEO]);

    // Audio keeps flowing on the same stream after the downgrade.
    const before = await inbound(audio, 'packetsReceived');
    await waitFor(async () => (await inbound(audio, 'packetsReceived')) > before + 10, 'audio after downgrade');
  });

  it('a subscribe-only token never publishes, yet subscribes', async () => {
    const name = uniqueStageName();
    const alice = track(await participant(name, 'alice'));
    const viewer = track(await participant(name, 'viewer', false));
    const viewerLog = recordEvents(viewer.stage, [StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED]);
    const aliceLog = recordEvents(alice.stage, [StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, StageEvents.STAGE_PARTICIPANT_JOINED]);
    const viewerGetsAlice = remoteStreams(viewer.stage, 'alice', [StreamType.VIDEO]);
    await alice.stage.join();
    await viewer.stage.join();
    await viewerGetsAlice;
    await sleep(1000);

    const localEvents = viewerLog.filter(([, info]) => (info as StageParticipantInfo).isLocal);
    expect(localEvents, 'the viewer emitted nothing about publishing itself').to.deep.equal([]);
    const viewerSeenByAlice = aliceLog.filter(([, info]) => (info as StageParticipantInfo).userId === 'viewer');
    expect(viewerSeenByAlice.map(([event]) => event)).to.deep.equal([StageEvents.STAGE_PARTICIPANT_JOINED]);
    expect(viewerSeenByAlice.some(([, , state]) => state === StageParticipantPublishState.PUBLISHED)).to.equal(false);
  });
});
