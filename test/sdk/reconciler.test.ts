import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { WireParticipant } from '../../src/protocol/index.js';
import { desiredPublication } from '../../src/sdk/desired-state.js';
import { SdpExchangeError } from '../../src/sdk/engine/sdp-exchange.js';
import { LocalStageStream, StageErrorCode, StageEvents, type StageStrategy, SubscribeType } from '../../src/sdk/index.js';
import { LocalPublication } from '../../src/sdk/local-publication.js';
import { StageParticipantInfo } from '../../src/sdk/participant-info.js';
import { RemoteParticipant } from '../../src/sdk/remote-participant.js';
import { FakeEngine, fakeTrack } from './fake-engine.js';

const WHIP = 'http://127.0.0.1:1/whip';
const NO_JITTER = () => undefined;

function wire(changes: Partial<WireParticipant> = {}): WireParticipant {
  return {
    id: 'alice',
    userId: 'alice',
    attributes: {},
    capabilities: ['publish', 'subscribe'],
    published: false,
    kinds: [],
    audioMuted: false,
    videoMuted: false,
    ...changes,
  };
}

const PUBLISHED: Partial<WireParticipant> = { published: true, kinds: ['audio', 'video'] };

/** Events as [name, ...args], with stream lists reduced to their types for readable assertions. */
function recorder() {
  const events: unknown[][] = [];
  const emit = (event: StageEvents, ...args: unknown[]) => events.push([event, ...args]);
  const take = () =>
    events.splice(0).map(([event, , arg]) => {
      if (Array.isArray(arg)) return [event, (arg as { streamType: string }[]).map((s) => s.streamType).join('+')];
      if (arg && typeof arg === 'object' && 'streamType' in arg) return [event, (arg as { streamType: string }).streamType];
      return arg === undefined ? [event] : [event, arg];
    });
  return { emit, take, events };
}

describe('reconciler: remote participants', () => {
  let engine: FakeEngine;
  let events: ReturnType<typeof recorder>;
  let remote: RemoteParticipant;

  beforeEach(() => {
    engine = new FakeEngine();
    events = recorder();
    remote = new RemoteParticipant(wire(), WHIP, () => 'token-1', events.emit, () => {}, engine);
  });

  it('waits until the participant publishes before subscribing', async () => {
    await remote.reconcile(SubscribeType.AUDIO_VIDEO, NO_JITTER);
    assert.deepEqual(engine.take(), []);
    assert.deepEqual(events.take(), []);

    remote.update(wire(PUBLISHED));
    assert.deepEqual(events.take(), [[StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, 'published']]);
    await remote.reconcile(SubscribeType.AUDIO_VIDEO, NO_JITTER);
    assert.deepEqual(engine.take(), ['subscriber http://127.0.0.1:1/whep/alice token-1', 'subscribe video=true']);
    assert.deepEqual(events.take(), [
      [StageEvents.STAGE_PARTICIPANT_SUBSCRIBE_STATE_CHANGED, 'attempting_subscribe'],
      [StageEvents.STAGE_PARTICIPANT_SUBSCRIBE_STATE_CHANGED, 'subscribed'],
      [StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, 'audio+video'],
    ]);
  });

  it('does nothing when the wanted subscription is what it has', async () => {
    remote.update(wire(PUBLISHED));
    await remote.reconcile(SubscribeType.AUDIO_VIDEO, NO_JITTER);
    engine.take();
    events.take();
    let asked = 0;
    for (let i = 0; i < 5; i++) await remote.reconcile(SubscribeType.AUDIO_VIDEO, () => (asked++, undefined));
    assert.deepEqual(engine.take(), []);
    assert.deepEqual(events.take(), []);
    assert.equal(asked, 0, 'subscribe configuration is asked only when a subscription starts');
  });

  it('switches AUDIO_VIDEO ↔ AUDIO_ONLY by adding or removing the video stream only', async () => {
    remote.update(wire(PUBLISHED));
    await remote.reconcile(SubscribeType.AUDIO_VIDEO, NO_JITTER);
    engine.take();
    events.take();

    await remote.reconcile(SubscribeType.AUDIO_ONLY, NO_JITTER);
    assert.deepEqual(engine.take(), ['set video=false']);
    assert.deepEqual(events.take(), [[StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED, 'video']]);

    await remote.reconcile(SubscribeType.AUDIO_VIDEO, NO_JITTER);
    assert.deepEqual(engine.take(), ['set video=true']);
    assert.deepEqual(events.take(), [[StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, 'video']]);

    await remote.reconcile(SubscribeType.NONE, NO_JITTER);
    assert.deepEqual(engine.take(), ['unsubscribe']);
    assert.deepEqual(events.take(), [
      [StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED, 'audio+video'],
      [StageEvents.STAGE_PARTICIPANT_SUBSCRIBE_STATE_CHANGED, 'not_subscribed'],
    ]);
  });

  it('starts AUDIO_ONLY without video and passes the jitter buffer target', async () => {
    remote.update(wire(PUBLISHED));
    await remote.reconcile(SubscribeType.AUDIO_ONLY, () => 250);
    assert.deepEqual(engine.take(), ['subscriber http://127.0.0.1:1/whep/alice token-1 jitter=250', 'subscribe video=false']);
    assert.deepEqual(events.take().at(-1), [StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, 'audio']);
  });

  it('follows the kinds the participant publishes, and unsubscribes when it stops', async () => {
    remote.update(wire({ published: true, kinds: ['audio'] }));
    await remote.reconcile(SubscribeType.AUDIO_VIDEO, NO_JITTER);
    events.take();
    remote.update(wire(PUBLISHED));
    await remote.reconcile(SubscribeType.AUDIO_VIDEO, NO_JITTER);
    assert.deepEqual(events.take(), [[StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, 'video']]);

    remote.update(wire());
    await remote.reconcile(SubscribeType.AUDIO_VIDEO, NO_JITTER);
    assert.deepEqual(events.take(), [
      [StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, 'not_published'],
      [StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED, 'audio+video'],
      [StageEvents.STAGE_PARTICIPANT_SUBSCRIBE_STATE_CHANGED, 'not_subscribed'],
    ]);
  });

  it('reports mute changes with the participant info already updated', async () => {
    remote.update(wire(PUBLISHED));
    await remote.reconcile(SubscribeType.AUDIO_VIDEO, NO_JITTER);
    events.take();
    const seen: boolean[] = [];
    remote.update(wire({ ...PUBLISHED, videoMuted: true }));
    for (const [event, info, stream] of events.events) {
      if (event === StageEvents.STAGE_STREAM_MUTE_CHANGED) seen.push((info as StageParticipantInfo).videoStopped, (stream as { isMuted: boolean }).isMuted);
    }
    assert.deepEqual(seen, [true, true]);
    assert.deepEqual(events.take(), [[StageEvents.STAGE_STREAM_MUTE_CHANGED, 'video']]);
  });

  it('reports new attributes as METADATA_CHANGED, and nothing for an identical update', () => {
    remote.update(wire({ attributes: { role: 'guest' } }));
    assert.deepEqual(events.take(), [[StageEvents.STAGE_PARTICIPANT_METADATA_CHANGED]]);
    assert.equal(remote.info.attributes.role, 'guest');
    remote.update(wire({ attributes: { role: 'guest' } }));
    assert.deepEqual(events.take(), []);
  });

  it('reports a failed subscription as ERRORED and a SUBSCRIBE_ERROR', async () => {
    remote.update(wire(PUBLISHED));
    events.take();
    engine.fail = new Error('boom');
    await remote.reconcile(SubscribeType.AUDIO_VIDEO, NO_JITTER);
    assert.deepEqual(engine.take().at(-1), 'unsubscribe');
    const taken = events.take();
    assert.deepEqual(taken.slice(0, 2), [
      [StageEvents.STAGE_PARTICIPANT_SUBSCRIBE_STATE_CHANGED, 'attempting_subscribe'],
      [StageEvents.STAGE_PARTICIPANT_SUBSCRIBE_STATE_CHANGED, 'errored'],
    ]);
    assert.equal(taken[2][0], StageEvents.ERROR);
    assert.equal(remote.subscribeType, SubscribeType.NONE, 'a later refresh tries again');
  });
});

describe('reconciler: the local publication', () => {
  let engine: FakeEngine;
  let events: ReturnType<typeof recorder>;
  let signals: unknown[];
  let publication: LocalPublication;
  let info: StageParticipantInfo;
  const audio = new LocalStageStream(fakeTrack('audio'));
  const video = new LocalStageStream(fakeTrack('video'));

  beforeEach(() => {
    engine = new FakeEngine();
    events = recorder();
    signals = [];
    info = new StageParticipantInfo('me', true, 'me', {}, new Set(['publish', 'subscribe']));
    publication = new LocalPublication(info, WHIP, () => 'token-1', events.emit, (m) => signals.push(m), () => {}, engine);
  });

  const streams = (...list: LocalStageStream[]) => new Map(list.map((s) => [s.streamType, s]));

  it('publishes, then does nothing while the same streams are wanted', async () => {
    await publication.reconcile(streams(audio, video));
    assert.deepEqual(engine.take(), ['publisher http://127.0.0.1:1/whip token-1', 'publish audio+video']);
    assert.deepEqual(events.take(), [
      [StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, 'attempting_publish'],
      [StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, 'published'],
      [StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, 'audio+video'],
    ]);
    assert.equal(info.isPublishing, true);
    signals.length = 0;
    await publication.reconcile(streams(audio, video));
    assert.deepEqual(engine.take(), []);
    assert.deepEqual(events.take(), []);
    assert.deepEqual(signals, []);
  });

  it('swaps a stream of the same kind by replacing the track, applying the new instance’s mute state', async () => {
    await publication.reconcile(streams(audio, video));
    engine.take();
    events.take();
    const camera2 = new LocalStageStream(fakeTrack('video'));
    camera2.setMuted(true);
    await publication.reconcile(streams(audio, camera2));
    assert.deepEqual(engine.take(), ['replace audio+video']);
    assert.deepEqual(events.take(), [
      [StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED, 'video'],
      [StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, 'video'],
    ]);
    assert.equal(info.videoStopped, true);
    assert.deepEqual(signals.at(-1), { type: 'mute', kind: 'video', muted: true });
  });

  it('republishes when the kinds change, and unpublishes when nothing is wanted', async () => {
    await publication.reconcile(streams(audio, video));
    engine.take();
    events.take();
    await publication.reconcile(streams(audio));
    assert.deepEqual(engine.take(), ['unpublish', 'publisher http://127.0.0.1:1/whip token-1', 'publish audio']);
    await publication.reconcile(new Map());
    assert.deepEqual(engine.take(), ['unpublish']);
    assert.deepEqual(events.take().slice(-2), [
      [StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED, 'audio'],
      [StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, 'not_published'],
    ]);
    assert.equal(info.isPublishing, false);
  });

  it('maps a refused publish to the reason the server gave', async () => {
    const refusals: Array<[SdpExchangeError, StageErrorCode]> = [
      [new SdpExchangeError(403, 'forbidden'), StageErrorCode.TOKEN_NOT_ALLOWED],
      [new SdpExchangeError(503, 'full', 'stage-at-capacity: 12 publishers'), StageErrorCode.STAGE_AT_CAPACITY],
      [new SdpExchangeError(404, 'gone', 'stage-not-found: deleted'), StageErrorCode.STAGE_DELETED],
      [new SdpExchangeError(401, 'expired', 'participant token expired: token has expired'), StageErrorCode.TOKEN_EXPIRED],
      [new SdpExchangeError(500, 'oops', 'internal error'), StageErrorCode.FAILED],
    ];
    for (const [refusal, code] of refusals) {
      engine.fail = refusal;
      await publication.reconcile(streams(audio));
      const taken = events.events.splice(0);
      assert.deepEqual(
        taken.map(([event, , arg]) => (event === StageEvents.ERROR ? event : arg)),
        ['attempting_publish', 'errored', StageEvents.ERROR],
      );
      assert.equal((taken[2][1] as { code: number }).code, code, refusal.body);
    }
  });
});

describe('reconciler: what the strategy is asked', () => {
  it('asks shouldPublishParticipant only when the token allows publishing', () => {
    let asked = 0;
    const strategy: StageStrategy = {
      stageStreamsToPublish: () => [],
      shouldPublishParticipant: () => (asked++, true),
      shouldSubscribeToParticipant: () => SubscribeType.NONE,
    };
    const viewer = new StageParticipantInfo('v', true, 'v', {}, new Set(['subscribe']));
    assert.equal(desiredPublication(strategy, viewer).size, 0);
    assert.equal(asked, 0);
  });

  it('refuses streams that are not LocalStageStreams, or two of one kind', () => {
    const me = new StageParticipantInfo('me', true, 'me', {}, new Set(['publish']));
    const returning = (streams: unknown[]): StageStrategy => ({
      stageStreamsToPublish: () => streams as LocalStageStream[],
      shouldPublishParticipant: () => true,
      shouldSubscribeToParticipant: () => SubscribeType.NONE,
    });
    assert.throws(() => desiredPublication(returning([undefined]), me), /not a LocalStageStream/);
    const a = new LocalStageStream(fakeTrack('audio'));
    const b = new LocalStageStream(fakeTrack('audio'));
    assert.throws(() => desiredPublication(returning([a, b]), me), /more than one audio stream/);
  });
});
