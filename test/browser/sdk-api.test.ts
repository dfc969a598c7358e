import { expect } from '@open-wc/testing';
import * as sdk from '../../src/sdk/index.js';
import {
  LocalStageStream,
  Stage,
  StageError,
  StageErrorCategory,
  StageErrorCode,
  StageEvents,
  StreamType,
  SubscribeType,
} from '../../src/sdk/index.js';
import { fakeCameraAndMic } from '../helpers/media.js';
import { fetchToken, uniqueStageName } from '../helpers/stage-server.js';

const NOTHING: sdk.StageStrategy = {
  stageStreamsToPublish: () => [],
  shouldPublishParticipant: () => false,
  shouldSubscribeToParticipant: () => SubscribeType.NONE,
};

function base64Url(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A real token with its payload changed (the client does not verify signatures; the server would). */
function withClaims(token: string, change: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
  return [header, base64Url({ ...claims, ...change }), signature].join('.');
}

async function expectStageError(promise: Promise<unknown>, code: StageErrorCode): Promise<StageError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(StageError);
    expect((error as StageError).code, (error as Error).message).to.equal(code);
    return error as StageError;
  }
  throw new Error(`expected a StageError with code ${code}`);
}

describe('SDK public API', () => {
  it('exports every name of the IVS real-time Web SDK', () => {
    for (const name of [
      'Stage',
      'LocalStageStream',
      'StageStream',
      'RemoteStageStream',
      'StageEvents',
      'StageConnectionState',
      'StageParticipantPublishState',
      'StageParticipantSubscribeState',
      'SubscribeType',
      'StreamType',
      'StageErrorCode',
      'StageErrorCategory',
      'StageLeftReason',
      '__version',
    ]) {
      expect(sdk, name).to.have.property(name);
    }
    expect(sdk.__version).to.be.a('string');
  });

  it('keeps the enum string values of the contract', () => {
    expect(SubscribeType.AUDIO_ONLY).to.equal('audio_only');
    expect(sdk.StageParticipantPublishState.PUBLISHED).to.equal('published');
    expect(sdk.StageLeftReason.USER_INITIATED).to.equal('user-initiated');
    expect(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED).to.equal('stageParticipantStreamsAdded');
    expect(StageErrorCode.TOKEN_EXCHANGE_FAILED).to.equal(12);
  });

  it('has join on the prototype and leave / refreshStrategy as own bound properties', async () => {
    const stage = new Stage(await fetchToken({ stage: uniqueStageName() }), NOTHING);
    expect(Object.prototype.hasOwnProperty.call(Stage.prototype, 'join')).to.equal(true);
    expect(Object.prototype.hasOwnProperty.call(stage, 'leave')).to.equal(true);
    expect(Object.prototype.hasOwnProperty.call(stage, 'refreshStrategy')).to.equal(true);
    const { leave, refreshStrategy } = stage;
    refreshStrategy();
    await leave();
  });

  it('can be subclassed, and emits application events through the stage', async () => {
    const calls: string[] = [];
    class MyStage extends Stage {
      override async join(): Promise<void> {
        calls.push('join');
        return super.join();
      }
    }
    const stage = new MyStage(await fetchToken({ stage: uniqueStageName() }), NOTHING);
    const seen: unknown[][] = [];
    stage.on('myAppEvent', (...args: unknown[]) => seen.push(args));
    stage.emit('myAppEvent', 1, 'two');
    await stage.join();
    await stage.leave();
    expect(calls).to.deep.equal(['join']);
    expect(seen).to.deep.equal([[1, 'two']]);
    stage.removeAllListeners();
    stage.emit('myAppEvent', 3);
    expect(seen).to.have.length(1);
  });

  it('keeps running when an application listener throws', async () => {
    const stage = new Stage(await fetchToken({ stage: uniqueStageName() }), NOTHING);
    const states: string[] = [];
    const onerror = window.onerror;
    window.onerror = () => true; // the SDK reports listener errors; keep mocha from failing on them
    try {
      stage.on(StageEvents.STAGE_CONNECTION_STATE_CHANGED, () => {
        throw new Error('app bug');
      });
      stage.on(StageEvents.STAGE_CONNECTION_STATE_CHANGED, (state: string) => states.push(state));
      await stage.join();
      await stage.leave();
    } finally {
      window.onerror = onerror;
    }
    expect(states).to.deep.equal(['connecting', 'connected', 'disconnected']);
  });

  describe('errors', () => {
    it('throws TOKEN_MALFORMED synchronously for a token that is not a string or not a JWT', () => {
      for (const bad of [undefined, 42, 'not-a-jwt', 'a.b.c']) {
        let error: unknown;
        try {
          new Stage(bad as string, NOTHING);
        } catch (e) {
          error = e;
        }
        expect(error, String(bad)).to.be.instanceOf(StageError);
        expect((error as StageError).code).to.equal(StageErrorCode.TOKEN_MALFORMED);
        expect((error as StageError).category).to.equal(StageErrorCategory.JOIN_ERROR);
        expect((error as StageError).name).to.equal('StageError');
      }
    });

    it('rejects join with TOKEN_EXPIRED for an expired token', async () => {
      const token = withClaims(await fetchToken({ stage: uniqueStageName() }), { exp: Math.floor(Date.now() / 1000) - 60 });
      await expectStageError(new Stage(token, NOTHING).join(), StageErrorCode.TOKEN_EXPIRED);
    });

    it('rejects join when the server refuses the token (bad signature)', async () => {
      const token = withClaims(await fetchToken({ stage: uniqueStageName() }), { user_id: 'someone-else' });
      const error = await expectStageError(new Stage(token, NOTHING).join(), StageErrorCode.TOKEN_MALFORMED);
      expect(error.category).to.equal(StageErrorCategory.JOIN_ERROR);
    });

    it('ends a join superseded by leave() with CANCELED, before or while connecting', async () => {
      const token = await fetchToken({ stage: uniqueStageName() });
      const early = new Stage(token, NOTHING);
      const earlyStates: string[] = [];
      early.on(StageEvents.STAGE_CONNECTION_STATE_CHANGED, (state: string) => earlyStates.push(state));
      const joining = early.join();
      const leaving = early.leave();
      await expectStageError(joining, StageErrorCode.CANCELED);
      await leaving;
      expect(earlyStates, 'a join canceled before it started changes nothing').to.deep.equal([]);

      const late = new Stage(token, NOTHING);
      const lateStates: string[] = [];
      late.on(StageEvents.STAGE_CONNECTION_STATE_CHANGED, (state: string) => {
        lateStates.push(state);
        if (state === 'connecting') void late.leave();
      });
      await expectStageError(late.join(), StageErrorCode.CANCELED);
      expect(lateStates).to.deep.equal(['connecting', 'disconnected']);
    });
  });

  describe('LocalStageStream options', () => {
    let media: MediaStream;
    before(async () => {
      media = await fakeCameraAndMic();
    });
    after(() => media.getTracks().forEach((t) => t.stop()));

    it('accepts options within the stage limits, simulcast included', () => {
      const [video] = media.getVideoTracks();
      const stream = new LocalStageStream(video, { minBitrate: 100, maxBitrate: 2500, maxFramerate: 30, simulcast: { enabled: true } });
      expect(stream.streamType).to.equal(StreamType.VIDEO);
      expect(stream.options.simulcast).to.deep.equal({ enabled: true });
      expect(stream.encoding).to.deep.equal({ maxBitrate: 2_500_000, maxFramerate: 30 });
      const [audio] = media.getAudioTracks();
      expect(new LocalStageStream(audio).encoding, 'audio defaults to 64 kbps').to.deep.equal({ maxBitrate: 64_000 });
      expect(new LocalStageStream(audio, { maxAudioBitrateKbps: 128, stereo: true }).encoding).to.deep.equal({ maxBitrate: 128_000 });
    });

    it('refuses out-of-range values with a clear error instead of clamping', () => {
      const [video] = media.getVideoTracks();
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ maxBitrate: 3000 }, /maxBitrate must be between 50 and 2500 kbps/],
        [{ maxVideoBitrateKbps: 10 }, /maxVideoBitrateKbps must be between 50 and 2500/],
        [{ maxFramerate: 60 }, /maxFramerate must be between 10 and 30 fps/],
        [{ maxAudioBitrateKbps: 256 }, /maxAudioBitrateKbps must be between 12 and 128/],
        [{ minBitrate: 2000, maxBitrate: 1000 }, /minBitrate .* is above the maximum/],
        [{ maxBitrate: '900' }, /maxBitrate must be a number/],
        [{ simulcast: true }, /simulcast must be \{ enabled: boolean \}/],
      ];
      for (const [options, message] of cases) {
        expect(() => new LocalStageStream(video, options as sdk.LocalStageStreamOptions), JSON.stringify(options)).to.throw(message);
      }
    });

    it('rejects setMuted with a non-boolean', () => {
      const stream = new LocalStageStream(media.getAudioTracks()[0]);
      expect(() => stream.setMuted('yes' as unknown as boolean)).to.throw(TypeError);
      stream.setMuted(true);
      expect(stream.isMuted).to.equal(true);
    });
  });
});
