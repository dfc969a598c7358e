import { expect } from '@open-wc/testing';
import { DEFAULT_CONSTRAINTS } from '../../src/index.js';
import { cameraConstraints, kindConstraints, videoStreamOptions } from '../../src/elements/local-stream/capture-constraints.js';
import { describe, it } from './support.js';

describe('capture constraints', () => {
  it('adds the picked devices to the base constraints, exactly for ids and as a preference for the facing mode', () => {
    const video = kindConstraints(DEFAULT_CONSTRAINTS, 'video', { videoDeviceId: 'cam', facingMode: 'environment' }) as MediaTrackConstraints;
    expect(video.deviceId).to.deep.equal({ exact: 'cam' });
    expect(video.facingMode).to.deep.equal({ ideal: 'environment' });
    expect(video.width, 'the base size is kept').to.deep.equal({ ideal: 1280, max: 1280 });
    expect(kindConstraints(DEFAULT_CONSTRAINTS, 'audio', { audioDeviceId: 'mic', facingMode: 'user' })).to.deep.equal({
      deviceId: { exact: 'mic' },
    });
  });

  it('keeps a kind the base does not capture switched off', () => {
    expect(cameraConstraints({ audio: true, video: false }, { videoDeviceId: 'cam' })).to.deep.equal({ audio: {}, video: false });
  });

  it('turns the encoding attributes into LocalStageStream options, leaving unset ones out', () => {
    expect(videoStreamOptions({ simulcast: false })).to.deep.equal({});
    expect(videoStreamOptions({ maxBitrate: 500, maxFramerate: NaN, simulcast: true })).to.deep.equal({
      maxBitrate: 500,
      simulcast: { enabled: true },
    });
  });
});
