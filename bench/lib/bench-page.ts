import type { Browser, Page } from 'puppeteer-core';

/** A same-origin page (the SDK bundle is imported from /dist) that can run functions written in bench files. */
export async function openBenchPage(browser: Browser, origin: string): Promise<Page> {
  const page = await browser.newPage();
  // tsx compiles the functions passed to evaluate() with esbuild's keepNames helper; give the page one.
  await page.evaluateOnNewDocument('globalThis.__name = (fn) => fn;');
  await page.goto(`${origin}/dist/`);
  return page;
}

/** Time from calling join() to CONNECTED, and from ATTEMPTING_PUBLISH to PUBLISHED, in ms. */
export interface PublisherJoin {
  participantId: string;
  connectedMs: number;
  publishedMs: number;
}

/**
 * Joins `stage` as a publisher of the page's camera (640×480, 30 fps; a
 * fake-capture file when Chromium was started with one) and microphone,
 * subscribing to nobody, and resolves once it is published. The page keeps
 * `window.benchStage`, `window.benchVideo` (the video LocalStageStream) and
 * `window.benchPublishStates` (the local publish states so far: a republish
 * shows there).
 */
export async function joinAsPublisher(page: Page, stage: string, userId = 'publisher'): Promise<PublisherJoin> {
  return page.evaluate(
    async (stage, userId) => {
      const { Stage, LocalStageStream, SubscribeType, StageEvents, StageConnectionState, StageParticipantPublishState } = await import('/dist/sdk.js' as string);
      const { token, participantId } = await (await fetch(`/dev/token?stage=${stage}&userId=${userId}`)).json();
      const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480, frameRate: 30 } });
      const streams = media.getTracks().map((t: MediaStreamTrack) => new LocalStageStream(t));
      const s = new Stage(token, {
        stageStreamsToPublish: () => streams,
        shouldPublishParticipant: () => true,
        shouldSubscribeToParticipant: () => SubscribeType.NONE,
      });
      const publishStates: string[] = [];
      const times = { join: 0, connected: 0, attempting: 0 };
      const published = new Promise<number>((resolve) => {
        s.on(StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, (info: { isLocal: boolean }, state: string) => {
          if (!info.isLocal) return;
          publishStates.push(state);
          if (state === StageParticipantPublishState.ATTEMPTING_PUBLISH) times.attempting = performance.now();
          if (state === StageParticipantPublishState.PUBLISHED) resolve(performance.now() - times.attempting);
        });
      });
      s.on(StageEvents.STAGE_CONNECTION_STATE_CHANGED, (state: string) => {
        if (state === StageConnectionState.CONNECTED && !times.connected) times.connected = performance.now();
      });
      Object.assign(window, { benchStage: s, benchPublishStates: publishStates, benchVideo: streams.find((x: { streamType: string }) => x.streamType === 'video') });
      times.join = performance.now();
      await s.join();
      const publishedMs = await published;
      return { participantId: participantId as string, connectedMs: times.connected - times.join, publishedMs };
    },
    stage,
    userId,
  );
}

/** The publisher's video bitrate over one second (outbound-rtp), with frame size and Chromium's limitation reason. */
export async function sentVideoBitrate(page: Page): Promise<{ kbps: number; width: number; height: number; limitation: string }> {
  return page.evaluate(async () => {
    const video = (window as unknown as { benchVideo: { getStats(): Promise<RTCStatsReport> } }).benchVideo;
    const read = async () => {
      let bytes = 0;
      let width = 0;
      let height = 0;
      let limitation = '';
      (await video.getStats()).forEach((e) => {
        if (e.type === 'outbound-rtp') {
          bytes += e.bytesSent;
          width = e.frameWidth ?? width;
          height = e.frameHeight ?? height;
          limitation = e.qualityLimitationReason ?? limitation;
        }
      });
      return { bytes, width, height, limitation, at: performance.now() };
    };
    const a = await read();
    await new Promise((r) => setTimeout(r, 1000));
    const b = await read();
    return { kbps: ((b.bytes - a.bytes) * 8) / (b.at - a.at), width: b.width, height: b.height, limitation: b.limitation };
  });
}
