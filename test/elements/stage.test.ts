import { expect, fixture, html } from '@open-wc/testing';
import {
  IvsStage,
  Stage,
  StageConnectionState,
  StageError,
  StageErrorCategory,
  StageErrorCode,
  StageEvents,
  StageLeftReason,
  StageParticipantPublishState,
  StreamType,
  SubscribeType,
  domEventForStageEvent,
  subscribeTypeFromAttribute,
} from '../../src/index.js';
import type { IvsParticipant } from '../../src/index.js';
import {
  afterEach,
  beforeEach,
  countCalls,
  describe,
  it,
  localInfo,
  recordJoins,
  remoteInfo,
  remoteStreams,
  settle,
  unsignedToken,
} from './support.js';

describe('<ivs-stage>', () => {
  let joins: ReturnType<typeof recordJoins>;
  beforeEach(() => {
    joins = recordJoins();
  });
  afterEach(() => joins.restore());

  async function stageWithToken(token = unsignedToken()): Promise<IvsStage & { stage: Stage }> {
    const el = await fixture<IvsStage>(html`<ivs-stage token=${token}></ivs-stage>`);
    await settle();
    expect(el.stage, 'a Stage is created for the token').to.be.instanceOf(Stage);
    return el as IvsStage & { stage: Stage };
  }

  it('is registered as ivs-stage', () => {
    expect(document.createElement('ivs-stage')).to.be.instanceOf(IvsStage);
  });

  describe('session lifecycle', () => {
    it('creates no Stage without a token', async () => {
      const el = await fixture<IvsStage>(html`<ivs-stage></ivs-stage>`);
      await settle();
      expect(el.stage).to.equal(undefined);
      expect(joins.stages).to.have.length(0);
      expect(el.getAttribute('connection-state')).to.equal('disconnected');
    });

    it('creates a Stage when connected with a token and joins it once', async () => {
      const el = await stageWithToken();
      expect(joins.stages).to.deep.equal([el.stage]);
    });

    it('leaves the old Stage and joins a new one when the token changes', async () => {
      const el = await stageWithToken();
      const first = el.stage;
      const leaves = countCalls(first, 'leave');
      el.token = unsignedToken();
      await settle();
      expect(leaves.count).to.equal(1);
      expect(el.stage).to.be.instanceOf(Stage).and.not.equal(first);
      expect(joins.stages).to.deep.equal([first, el.stage]);
    });

    it('leaves when removed from the document', async () => {
      const el = await stageWithToken();
      const stage = el.stage;
      const leaves = countCalls(stage, 'leave');
      el.remove();
      await settle();
      expect(leaves.count).to.equal(1);
      expect(el.stage).to.equal(undefined);
    });

    it('keeps its Stage when moved within the document', async () => {
      const el = await stageWithToken();
      const stage = el.stage;
      const leaves = countCalls(stage, 'leave');
      const other = document.createElement('div');
      el.parentElement!.append(other);
      el.remove(); // two separate operations, as a framework moving nodes would do
      other.append(el);
      await settle();
      expect(leaves.count).to.equal(0);
      expect(el.stage).to.equal(stage);
      expect(joins.stages).to.have.length(1);
    });

    it('reports an undecodable token as ivs-error', async () => {
      const errors: StageError[] = [];
      const el = document.createElement('ivs-stage');
      el.addEventListener('ivs-error', (event) => errors.push(event.detail.error));
      el.token = 'not-a-jwt';
      document.body.append(el);
      try {
        await settle();
        expect(errors).to.have.length(1);
        expect(errors[0]).to.be.instanceOf(StageError);
        expect(errors[0].code).to.equal(StageErrorCode.TOKEN_MALFORMED);
        expect(el.stage).to.equal(undefined);
      } finally {
        el.remove();
      }
    });

    it('reports a failed join as ivs-error', async () => {
      joins.restore();
      const failure = new StageError(StageErrorCode.FAILED, StageErrorCategory.JOIN_ERROR, 'no server');
      const original = Stage.prototype.join;
      Stage.prototype.join = () => Promise.reject(failure);
      try {
        const el = document.createElement('ivs-stage');
        const seen: unknown[] = [];
        el.addEventListener('ivs-error', (event) => seen.push(event.detail.error));
        el.token = unsignedToken();
        document.body.append(el);
        await settle();
        expect(seen).to.deep.equal([failure]);
        el.remove();
      } finally {
        Stage.prototype.join = original;
      }
    });
  });

  describe('strategy from attributes', () => {
    const bob = remoteInfo('bob', 'bob');

    it('subscribes to audio and video by default', async () => {
      const el = await fixture<IvsStage>(html`<ivs-stage></ivs-stage>`);
      expect(el.strategy.shouldSubscribeToParticipant(bob)).to.equal(SubscribeType.AUDIO_VIDEO);
    });

    it('maps subscribe="audio-only" and subscribe="none"', async () => {
      const el = await fixture<IvsStage>(html`<ivs-stage subscribe="audio-only"></ivs-stage>`);
      expect(el.strategy.shouldSubscribeToParticipant(bob)).to.equal(SubscribeType.AUDIO_ONLY);
      el.setAttribute('subscribe', 'none');
      await el.updateComplete;
      expect(el.strategy.shouldSubscribeToParticipant(bob)).to.equal(SubscribeType.NONE);
      el.setAttribute('subscribe', 'audio-video');
      await el.updateComplete;
      expect(el.strategy.shouldSubscribeToParticipant(bob)).to.equal(SubscribeType.AUDIO_VIDEO);
    });

    it('accepts the SDK spellings and falls back to audio-video', () => {
      expect(subscribeTypeFromAttribute('audio_only')).to.equal(SubscribeType.AUDIO_ONLY);
      expect(subscribeTypeFromAttribute('NONE')).to.equal(SubscribeType.NONE);
      expect(subscribeTypeFromAttribute('bogus')).to.equal(SubscribeType.AUDIO_VIDEO);
      expect(subscribeTypeFromAttribute(null)).to.equal(SubscribeType.AUDIO_VIDEO);
    });

    it('does not publish without an <ivs-local-stream publish> child', async () => {
      const el = await fixture<IvsStage>(html`<ivs-stage></ivs-stage>`);
      expect(el.strategy.shouldPublishParticipant(localInfo('me'))).to.equal(false);
      expect(el.strategy.stageStreamsToPublish()).to.deep.equal([]);
    });

    it('calls refreshStrategy once when subscribe changes', async () => {
      const el = await stageWithToken();
      const refreshes = countCalls(el.stage, 'refreshStrategy');
      el.subscribe = 'audio-only';
      await el.updateComplete;
      await settle();
      expect(refreshes.count).to.equal(1);
      el.subscribe = 'audio-only';
      await el.updateComplete;
      await settle();
      expect(refreshes.count, 'no refresh when nothing changed').to.equal(1);
    });

    it('hands the same strategy object to every Stage it creates', async () => {
      const el = await stageWithToken();
      const strategy = el.strategy;
      el.token = unsignedToken();
      await settle();
      expect(el.strategy).to.equal(strategy);
    });
  });

  describe('SDK events', () => {
    it('reflects the connection state', async () => {
      const el = await stageWithToken();
      el.stage.emit(StageEvents.STAGE_CONNECTION_STATE_CHANGED, StageConnectionState.CONNECTED);
      await el.updateComplete;
      expect(el.connectionState).to.equal('connected');
      expect(el.getAttribute('connection-state')).to.equal('connected');
      el.stage.emit(StageEvents.STAGE_CONNECTION_STATE_CHANGED, StageConnectionState.ERRORED);
      await el.updateComplete;
      expect(el.getAttribute('connection-state')).to.equal('errored');
    });

    it('re-dispatches participant events with named detail, bubbling out of shadow roots', async () => {
      const host = document.createElement('div');
      const root = host.attachShadow({ mode: 'open' });
      const el = document.createElement('ivs-stage');
      el.token = unsignedToken();
      root.append(el);
      document.body.append(host);
      try {
        await settle();
        const seen: Event[] = [];
        let origin: EventTarget | undefined;
        const listener = (event: Event) => {
          seen.push(event);
          origin = event.composedPath()[0];
        };
        document.addEventListener('ivs-participant-joined', listener);
        const alice = remoteInfo('alice', 'alice');
        el.stage!.emit(StageEvents.STAGE_PARTICIPANT_JOINED, alice);
        document.removeEventListener('ivs-participant-joined', listener);

        expect(seen).to.have.length(1);
        const event = seen[0] as HTMLElementEventMap['ivs-participant-joined'];
        expect(event.bubbles).to.equal(true);
        expect(event.composed).to.equal(true);
        expect(origin === el, 'dispatched from the <ivs-stage>').to.equal(true);
        expect(event.detail.participant).to.equal(alice);
      } finally {
        host.remove();
      }
    });

    it('re-dispatches streams, publish state and leave events', async () => {
      const el = await stageWithToken();
      const alice = remoteInfo('alice', 'alice');
      const streams = await remoteStreams();
      const added = new Promise<HTMLElementEventMap['ivs-streams-added']>((resolve) =>
        el.addEventListener('ivs-streams-added', resolve, { once: true }),
      );
      const published = new Promise<HTMLElementEventMap['ivs-participant-publish-state-changed']>((resolve) =>
        el.addEventListener('ivs-participant-publish-state-changed', resolve, { once: true }),
      );
      const left = new Promise<HTMLElementEventMap['ivs-stage-left']>((resolve) =>
        el.addEventListener('ivs-stage-left', resolve, { once: true }),
      );
      el.stage.emit(StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, alice, StageParticipantPublishState.PUBLISHED);
      el.stage.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, alice, streams);
      el.stage.emit(StageEvents.STAGE_LEFT, StageLeftReason.PARTICIPANT_DISCONNECTED);

      expect((await published).detail).to.deep.equal({ participant: alice, state: 'published' });
      expect((await added).detail.participant).to.equal(alice);
      expect((await added).detail.streams).to.equal(streams);
      expect((await left).detail.reason).to.equal('participant-disconnected');
      streams.forEach((s) => s.mediaStreamTrack.stop());
    });

    it('maps every SDK event to an ivs-prefixed, bubbling, composed DOM event', () => {
      const names = new Set<string>();
      for (const sdkEvent of Object.values(StageEvents)) {
        const event = domEventForStageEvent(sdkEvent, [remoteInfo('x'), [], [], 'selected']);
        expect(event, sdkEvent).to.be.instanceOf(Event);
        expect(event!.type, sdkEvent).to.match(/^ivs-[a-z-]+$/);
        expect(event!.bubbles, sdkEvent).to.equal(true);
        expect(event!.composed, sdkEvent).to.equal(true);
        names.add(event!.type);
      }
      expect(names.size, 'one DOM event name per SDK event').to.equal(Object.values(StageEvents).length);
      expect(domEventForStageEvent('myAppEvent', [])).to.equal(undefined);
    });
  });

  describe('participant tiles', () => {
    it('renders one <ivs-participant> per remote participant, never the local one', async () => {
      const el = await stageWithToken();
      el.stage.emit(StageEvents.STAGE_PARTICIPANT_JOINED, localInfo('me'));
      el.stage.emit(StageEvents.STAGE_PARTICIPANT_JOINED, remoteInfo('alice', 'alice'));
      el.stage.emit(StageEvents.STAGE_PARTICIPANT_JOINED, remoteInfo('bob', 'bob'));
      await el.updateComplete;
      let tiles = [...el.shadowRoot!.querySelectorAll<IvsParticipant>('ivs-participant')];
      expect(tiles.map((t) => t.participantId)).to.deep.equal(['alice', 'bob']);
      expect(tiles.map((t) => t.getAttribute('participant-id'))).to.deep.equal(['alice', 'bob']);

      el.stage.emit(StageEvents.STAGE_PARTICIPANT_LEFT, remoteInfo('alice', 'alice'));
      await el.updateComplete;
      tiles = [...el.shadowRoot!.querySelectorAll<IvsParticipant>('ivs-participant')];
      expect(tiles.map((t) => t.participantId)).to.deep.equal(['bob']);
    });

    it('clears the tiles when the token changes', async () => {
      const el = await stageWithToken();
      el.stage.emit(StageEvents.STAGE_PARTICIPANT_JOINED, remoteInfo('alice', 'alice'));
      await el.updateComplete;
      expect(el.shadowRoot!.querySelectorAll('ivs-participant')).to.have.length(1);
      el.token = unsignedToken();
      await settle();
      await el.updateComplete;
      expect(el.shadowRoot!.querySelectorAll('ivs-participant')).to.have.length(0);
    });

    it('lists participants with their streams', async () => {
      const el = await stageWithToken();
      const alice = remoteInfo('alice', 'alice');
      const streams = await remoteStreams();
      el.stage.emit(StageEvents.STAGE_PARTICIPANT_JOINED, alice);
      el.stage.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, alice, streams);
      const video = streams.filter((s) => s.streamType === StreamType.VIDEO);
      el.stage.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED, alice, video);
      expect(el.participants).to.have.length(1);
      expect(el.participants[0].info).to.equal(alice);
      expect(el.participants[0].streams.map((s) => s.streamType)).to.deep.equal([StreamType.AUDIO]);
      streams.forEach((s) => s.mediaStreamTrack.stop());
    });
  });

  it('shows a status indicator while connecting and reconnecting, and reflects connection-state and reconnecting', async () => {
    const el = await stageWithToken();
    const status = () => el.shadowRoot!.querySelector('[part="status"]')?.textContent;
    const go = async (state: StageConnectionState) => {
      el.stage.emit(StageEvents.STAGE_CONNECTION_STATE_CHANGED, state);
      await el.updateComplete;
    };
    expect(status()).to.equal(undefined);
    await go(StageConnectionState.CONNECTING);
    expect(el.getAttribute('connection-state')).to.equal('connecting');
    expect(status()).to.equal('Connecting…');
    expect(el.hasAttribute('reconnecting')).to.equal(false);
    await go(StageConnectionState.CONNECTED);
    expect(status()).to.equal(undefined);

    // The SDK rejoins on its own after a lost connection: ERRORED, CONNECTING, CONNECTED.
    await go(StageConnectionState.ERRORED);
    expect(el.getAttribute('connection-state')).to.equal('errored');
    expect(el.hasAttribute('reconnecting')).to.equal(true);
    expect(status()).to.equal('Reconnecting…');
    await go(StageConnectionState.CONNECTING);
    expect(status(), 'still a reconnection').to.equal('Reconnecting…');
    await go(StageConnectionState.CONNECTED);
    expect(el.hasAttribute('reconnecting')).to.equal(false);
    expect(status()).to.equal(undefined);
  });

  it('layout="none" renders no automatic tiles', async () => {
    const el = await stageWithToken();
    el.layout = 'none';
    el.stage.emit(StageEvents.STAGE_PARTICIPANT_JOINED, remoteInfo('alice', 'alice'));
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('ivs-participant')).to.have.length(0);
    expect(el.participants).to.have.length(1);
  });

  it('a strategy set before the token is the one the Stage is created with', async () => {
    const el = document.createElement('ivs-stage');
    const custom = {
      stageStreamsToPublish: () => [],
      shouldPublishParticipant: () => false,
      shouldSubscribeToParticipant: () => SubscribeType.AUDIO_ONLY,
    };
    el.strategy = custom;
    el.token = unsignedToken();
    document.body.append(el);
    try {
      await settle();
      expect(el.strategy).to.equal(custom);
      const replaced: unknown[] = [];
      el.stage!.replaceStrategy = (s) => void replaced.push(s);
      el.strategy = undefined;
      expect(replaced).to.have.length(1);
      expect(replaced[0]).to.equal(el.strategy);
      expect(replaced[0]).not.to.equal(custom);
    } finally {
      el.remove();
    }
  });

  it('is accessible while connecting, with a rule and a placed tile', async () => {
    const el = await fixture<IvsStage>(html`
      <ivs-stage token=${unsignedToken()}>
        <ivs-subscribe-rule attribute="role" value="moderator" subscribe="none"></ivs-subscribe-rule>
        <ivs-participant user-id="alice"></ivs-participant>
      </ivs-stage>
    `);
    await settle();
    el.stage!.emit(StageEvents.STAGE_CONNECTION_STATE_CHANGED, StageConnectionState.CONNECTING);
    el.stage!.emit(StageEvents.STAGE_PARTICIPANT_JOINED, remoteInfo('a', 'alice'));
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part="status"]')).to.not.equal(null);
    await expect(el).to.be.accessible();
  });

  it('is accessible with tiles', async () => {
    const el = await stageWithToken();
    el.stage.emit(StageEvents.STAGE_PARTICIPANT_JOINED, remoteInfo('alice', 'alice'));
    await el.updateComplete;
    await expect(el).to.be.accessible();
  });
});
