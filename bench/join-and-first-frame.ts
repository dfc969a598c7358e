/**
 * Join and first frame, median of 20 runs through the built server on
 * loopback: token → CONNECTED and ATTEMPTING_PUBLISH → PUBLISHED for a
 * publisher, token → CONNECTED and ATTEMPTING_SUBSCRIBE → first decoded frame
 * for a subscribe-only viewer, and the publisher's setMuted(true) → the
 * viewer's STAGE_STREAM_MUTE_CHANGED. Before the runs, the publisher's sent
 * video bitrate 10 s after joining (no SDP munging anywhere: Chromium ramps on
 * the SFU's REMB), an issue #2 requirement.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { launchChromium } from '../test/helpers/node/chromium.js';
import { startServerProcess } from '../test/helpers/node/stage-server-process.mjs';
import { joinAsPublisher, openBenchPage, sentVideoBitrate } from './lib/bench-page.js';
import { median, printTable } from './lib/stats.js';
import { writeMotionClip } from './lib/y4m.js';

const RUNS = 20;
const BITRATE_AFTER_MS = 10_000;
/** Issue #5 targets on loopback (medians). */
const TARGETS = { connectedMs: 150, firstFrameMs: 300 };

interface ViewerJoin {
  connectedMs: number;
  firstFrameMs: number;
}

/** Joins subscribe-only, waits for the first decoded video frame, and leaves the Stage in `window.benchViewer`. */
function joinAsViewer(page: Page, stage: string, run: number): Promise<ViewerJoin> {
  return page.evaluate(
    async (stage, run) => {
      const { Stage, SubscribeType, StageEvents, StageConnectionState, StageParticipantSubscribeState } = await import('/dist/sdk.js' as string);
      const token = (await (await fetch(`/dev/token?stage=${stage}&userId=viewer-${run}&publish=0`)).json()).token;
      const s = new Stage(token, {
        stageStreamsToPublish: () => [],
        shouldPublishParticipant: () => false,
        shouldSubscribeToParticipant: () => SubscribeType.AUDIO_VIDEO,
      });
      const times = { join: 0, connected: 0, subscribing: 0 };
      s.on(StageEvents.STAGE_CONNECTION_STATE_CHANGED, (state: string) => {
        if (state === StageConnectionState.CONNECTED && !times.connected) times.connected = performance.now();
      });
      const frame = new Promise<number>((resolve) => {
        s.on(StageEvents.STAGE_PARTICIPANT_SUBSCRIBE_STATE_CHANGED, (_: unknown, state: string) => {
          if (state === StageParticipantSubscribeState.ATTEMPTING_SUBSCRIBE) times.subscribing = performance.now();
        });
        s.on(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, (_: unknown, streams: Array<{ streamType: string; mediaStreamTrack: MediaStreamTrack }>) => {
          const video = streams.find((x) => x.streamType === 'video');
          if (!video) return;
          const el = document.createElement('video');
          el.muted = true;
          el.srcObject = new MediaStream([video.mediaStreamTrack]);
          el.requestVideoFrameCallback(() => resolve(performance.now() - times.subscribing));
          void el.play();
        });
      });
      // The mute measurement needs the time (on the shared wall clock) the viewer learns of it.
      const muted = new Promise<number>((resolve) => {
        s.on(StageEvents.STAGE_STREAM_MUTE_CHANGED, (_: unknown, stream: { streamType: string; isMuted: boolean }) => {
          if (stream.streamType === 'video' && stream.isMuted) resolve(performance.timeOrigin + performance.now());
        });
      });
      Object.assign(window, { benchViewer: s, benchMuteSeen: muted });
      times.join = performance.now();
      await s.join();
      const firstFrameMs = await frame;
      return { connectedMs: times.connected - times.join, firstFrameMs };
    },
    stage,
    run,
  );
}

/** Mutes the publisher's video; resolves with the time the viewer saw it, in ms after the call. */
async function muteToRemoteEvent(publisher: Page, viewer: Page): Promise<number> {
  const mutedAt = await publisher.evaluate(() => {
    const at = performance.timeOrigin + performance.now();
    (window as unknown as { benchVideo: { setMuted(m: boolean): void } }).benchVideo.setMuted(true);
    return at;
  });
  const seenAt = await viewer.evaluate(() => (window as unknown as { benchMuteSeen: Promise<number> }).benchMuteSeen);
  return seenAt - mutedAt;
}

export async function runJoinAndFirstFrame(): Promise<Record<string, unknown>> {
  const clip = writeMotionClip(join(tmpdir(), 'stage-bench-motion-640x480.y4m'));
  const server = await startServerProcess();
  const browser = await launchChromium([`--use-file-for-fake-video-capture=${clip}`]);
  try {
    const publisher = await openBenchPage(browser, server.url);
    const viewer = await openBenchPage(browser, server.url);
    const bitrateStage = `bench-bitrate-${Date.now()}`;
    await joinAsPublisher(publisher, bitrateStage);
    await new Promise((r) => setTimeout(r, BITRATE_AFTER_MS - 1000));
    const sent = await sentVideoBitrate(publisher);
    await publisher.evaluate(() => (window as unknown as { benchStage: { leave(): void } }).benchStage.leave());

    const runs = { publisherConnectedMs: [] as number[], publishedMs: [] as number[], viewerConnectedMs: [] as number[], firstFrameMs: [] as number[], muteMs: [] as number[] };
    for (let run = 0; run < RUNS; run++) {
      const stage = `bench-join-${Date.now()}-${run}`;
      const p = await joinAsPublisher(publisher, stage, `publisher-${run}`);
      const v = await joinAsViewer(viewer, stage, run);
      runs.publisherConnectedMs.push(p.connectedMs);
      runs.publishedMs.push(p.publishedMs);
      runs.viewerConnectedMs.push(v.connectedMs);
      runs.firstFrameMs.push(v.firstFrameMs);
      runs.muteMs.push(await muteToRemoteEvent(publisher, viewer));
      await viewer.evaluate(() => (window as unknown as { benchViewer: { leave(): void } }).benchViewer.leave());
      await publisher.evaluate(() => (window as unknown as { benchStage: { leave(): void } }).benchStage.leave());
    }

    const medians = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, Math.round(median(v))])) as Record<keyof typeof runs, number>;
    const spread = (v: number[]) => `${Math.round(Math.min(...v))}–${Math.round(Math.max(...v))}`;
    printTable(
      ['metric', 'median', `range of ${RUNS}`, 'target'],
      [
        ['publisher: token → CONNECTED (ms)', medians.publisherConnectedMs, spread(runs.publisherConnectedMs), `≤ ${TARGETS.connectedMs}`],
        ['publisher: ATTEMPTING_PUBLISH → PUBLISHED (ms)', medians.publishedMs, spread(runs.publishedMs), '—'],
        ['viewer: token → CONNECTED (ms)', medians.viewerConnectedMs, spread(runs.viewerConnectedMs), `≤ ${TARGETS.connectedMs}`],
        ['viewer: ATTEMPTING_SUBSCRIBE → first decoded frame (ms)', medians.firstFrameMs, spread(runs.firstFrameMs), `≤ ${TARGETS.firstFrameMs}`],
        ['setMuted(true) → remote STAGE_STREAM_MUTE_CHANGED (ms)', medians.muteMs, spread(runs.muteMs), '—'],
        [`publisher sent bitrate ${BITRATE_AFTER_MS / 1000} s after joining (kbit/s)`, Math.round(sent.kbps), `${sent.width}x${sent.height}, limited by: ${sent.limitation}`, '≥ 1000'],
      ],
    );
    return {
      date: new Date().toISOString(),
      runs: RUNS,
      targets: TARGETS,
      medians,
      samples: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.map(Math.round)])),
      publisher: { sentKbpsAfter10s: Math.round(sent.kbps), width: sent.width, height: sent.height, qualityLimitation: sent.limitation },
    };
  } finally {
    await browser.close();
    await server.stop();
  }
}
