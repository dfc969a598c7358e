import type { Browser, Page } from 'puppeteer-core';

/**
 * Runs in the page: joins with `token` through the built SDK bundle,
 * publishing the fake camera and microphone when `publish` says so and
 * subscribing to audio and video of everyone, and keeps every remote video
 * stream by participant id until it is removed. A string, so the test's
 * TypeScript transform adds no helpers the page does not have.
 */
const joinInPage = (token: string, publish: boolean) => `(async () => {
  const { LocalStageStream, Stage, StageEvents, SubscribeType } = await import('/dist/sdk.js');
  const camera = ${publish} ? await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true }) : undefined;
  const streams = camera ? camera.getTracks().map((track) => new LocalStageStream(track)) : [];
  const stage = new Stage(${JSON.stringify(token)}, {
    stageStreamsToPublish: () => streams,
    shouldPublishParticipant: () => streams.length > 0,
    shouldSubscribeToParticipant: () => SubscribeType.AUDIO_VIDEO,
  });
  window.remoteVideo = new Map();
  stage.on(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, (participant, streams) => {
    const video = streams.find((s) => s.streamType === 'video');
    if (video) window.remoteVideo.set(participant.id, video);
  });
  stage.on(StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED, (participant, streams) => {
    if (streams.some((s) => s.streamType === 'video')) window.remoteVideo.delete(participant.id);
  });
  await stage.join();
  window.stage = stage;
})()`;

/** Runs in the page: frames decoded so far from one participant's video, or -1 while none is received. */
const framesDecodedInPage = (participantId: string) => `(async () => {
  const video = window.remoteVideo.get(${JSON.stringify(participantId)});
  if (!video) return -1;
  let frames = 0;
  (await video.getStats()).forEach((s) => { if (s.type === 'inbound-rtp') frames += s.framesDecoded ?? 0; });
  return frames;
})()`;

/**
 * A browser `Stage` participant (the SDK as a page uses it) that subscribes
 * to every publisher and reports how many of a participant's video frames it
 * decoded, and may publish Chromium's fake camera and microphone.
 * Uses the built SDK bundle (dist/sdk.js): `npm test` builds first.
 */
export class StagePage {
  private constructor(private readonly page: Page) {}

  static async join(browser: Browser, serverUrl: string, token: string, { publish = false } = {}): Promise<StagePage> {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error('stage page:', error));
    // Any page of the server's origin can import the SDK bundle it serves.
    await page.goto(`${serverUrl}/dist/sdk.js`);
    await page.evaluate(joinInPage(token, publish));
    return new StagePage(page);
  }

  framesDecoded(participantId: string): Promise<number> {
    return this.page.evaluate(framesDecodedInPage(participantId)) as Promise<number>;
  }

  async leave(): Promise<void> {
    await this.page.evaluate('window.stage.leave()');
    await this.page.close();
  }
}
