import type { Browser, Page } from 'puppeteer-core';

/**
 * Runs in the page: joins with `token` through the built SDK bundle,
 * publishing the fake camera and microphone when `publish` says so and
 * subscribing to audio and video of everyone, and keeps every remote stream
 * by participant id and kind until it is removed. A string, so the test's
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
  window.remoteStreams = new Map();
  stage.on(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, (participant, streams) => {
    for (const stream of streams) window.remoteStreams.set(participant.id + '/' + stream.streamType, stream);
  });
  stage.on(StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED, (participant, streams) => {
    for (const stream of streams) window.remoteStreams.delete(participant.id + '/' + stream.streamType);
  });
  await stage.join();
  window.stage = stage;
})()`;

/** Runs in the page: a counter of one participant's inbound-rtp stats of `kind`, or -1 while no such stream is received. */
const inboundInPage = (participantId: string, kind: 'audio' | 'video', field: 'framesDecoded' | 'packetsReceived') => `(async () => {
  const stream = window.remoteStreams.get(${JSON.stringify(`${participantId}/${kind}`)});
  if (!stream) return -1;
  let total = 0;
  (await stream.getStats()).forEach((s) => { if (s.type === 'inbound-rtp') total += s.${field} ?? 0; });
  return total;
})()`;

/**
 * A browser `Stage` participant (the SDK as a page uses it) that subscribes
 * to every publisher and reports what it receives of a participant's video
 * and audio, and may publish Chromium's fake camera and microphone.
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

  /** Frames decoded so far from the participant's video, or -1 while none is received. */
  framesDecoded(participantId: string): Promise<number> {
    return this.page.evaluate(inboundInPage(participantId, 'video', 'framesDecoded')) as Promise<number>;
  }

  /** Packets received so far of the participant's audio, or -1 while none is received. */
  audioPackets(participantId: string): Promise<number> {
    return this.page.evaluate(inboundInPage(participantId, 'audio', 'packetsReceived')) as Promise<number>;
  }

  async leave(): Promise<void> {
    await this.page.evaluate('window.stage.leave()');
    await this.page.close();
  }
}
