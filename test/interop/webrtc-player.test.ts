import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { whepUrlFor } from '../../src/protocol/token.js';
import { waitForValue } from '../helpers/node/wait-for.js';
import { devParticipant } from './helpers/dev-participant.js';
import { useInteropRig } from './helpers/interop-rig.js';
import { StagePage } from './helpers/stage-page.js';

/**
 * Runs in the page: plays `whepUrl` with Eyevinn's WebRTCPlayer and its
 * `whep` adapter, as its README shows. The player puts its second `load()`
 * argument into the Authorization header as it is, so it gets "Bearer
 * <token>". `iceServers: []` because its default is a public STUN server. A
 * string, so the test's TypeScript transform adds no helpers the page does not have.
 */
const playInPage = (whepUrl: string, token: string) => `(async () => {
  const { WebRTCPlayer } = await import('/client.js');
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  document.body.append(video);
  const player = new WebRTCPlayer({ video, type: 'whep', iceServers: [] });
  await player.load(new URL(${JSON.stringify(whepUrl)}), ${JSON.stringify(`Bearer ${token}`)});
  window.player = player;
})()`;

/** Runs in the page: what the player's video element has shown so far. */
const PLAYBACK = `(() => {
  const video = document.querySelector('video');
  return { frames: video.getVideoPlaybackQuality().totalVideoFrames, width: video.videoWidth, height: video.videoHeight };
})()`;

interface Playback {
  frames: number;
  width: number;
  height: number;
}

/**
 * Eyevinn's @eyevinn/webrtc-player plays one participant of a stage over WHEP
 * (`<origin>/whep/<participantId>`, the participant token as bearer) from a
 * page on another origin; its video element decodes the browser Stage
 * participant's camera.
 */
describe('@eyevinn/webrtc-player plays a stage participant over WHEP', { timeout: 120_000 }, () => {
  const rig = useInteropRig({ package: '@eyevinn/webrtc-player', exports: ['WebRTCPlayer'] });

  it("the player's video element decodes the participant's video", async () => {
    const { server, browser } = rig;
    const publisher = await devParticipant(server.url, 'eyevinn-whep', 'camera');
    const stagePage = await StagePage.join(browser, server.url, publisher.token, { publish: true });
    // WHEP finds a participant once the SFU receives its media (404 before), which a Stage subscriber sees.
    const check = await StagePage.join(browser, server.url, (await devParticipant(server.url, 'eyevinn-whep', 'check')).token);
    await waitForValue('a Stage subscriber to decode the participant', () => check.framesDecoded(publisher.participantId), (frames) => frames > 0);
    await check.leave();
    const viewer = await devParticipant(server.url, 'eyevinn-whep', 'whep-player');
    const page = await rig.openClientPage('webrtc-player page');
    await page.evaluate(playInPage(whepUrlFor(viewer.whipUrl, publisher.participantId), viewer.token));

    const read = () => page.evaluate(PLAYBACK) as Promise<Playback>;
    const first = await waitForValue('the first frame in the player', read, (p) => p.frames > 0);
    const later = await waitForValue('more frames in the player', read, (p) => p.frames > first.frames + 30);
    // A picture of some size: a loaded machine may make the publisher scale its camera down.
    assert.ok(later.width > 0 && later.height > 0, `the player shows no picture: ${JSON.stringify(later)}`);

    await stagePage.leave();
  });
});
