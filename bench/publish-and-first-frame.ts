/**
 * Walking-skeleton benchmark: a Chromium publisher's sent video bitrate after
 * 10 s through our SFU (no SDP munging anywhere), and a subscriber's time from
 * subscribe to first decoded frame (median of 5).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from '../test/helpers/node/chromium.js';
import { startServerProcess } from '../test/helpers/node/stage-server-process.mjs';
import { median, printTable } from './lib/stats.js';
import { writeMotionClip } from './lib/y4m.js';

const RUNS = 5;

/** A same-origin page (the SDK bundle is imported from /dist) that can run functions written in this file. */
async function openBenchPage(browser: Browser, origin: string): Promise<Page> {
  const page = await browser.newPage();
  // tsx compiles the functions passed to evaluate() with esbuild's keepNames helper; give the page one.
  await page.evaluateOnNewDocument('globalThis.__name = (fn) => fn;');
  await page.goto(`${origin}/dist/`);
  return page;
}

export async function runPublishAndFirstFrame(): Promise<Record<string, unknown>> {
  const clip = writeMotionClip(join(tmpdir(), 'stage-bench-motion-640x480.y4m'));
  const server = await startServerProcess();
  const browser = await launchChromium([`--use-file-for-fake-video-capture=${clip}`]);
  try {
    const stageName = `bench-${Date.now()}`;
    const publisher = await openBenchPage(browser, server.url);
    await publisher.evaluate(async (stage) => {
      const { Stage, LocalStageStream, SubscribeType } = await import('/dist/sdk.js' as string);
      const token = (await (await fetch(`/dev/token?stage=${stage}&userId=publisher`)).json()).token;
      const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480, frameRate: 30 } });
      const streams = media.getTracks().map((t: MediaStreamTrack) => new LocalStageStream(t));
      const s = new Stage(token, {
        stageStreamsToPublish: () => streams,
        shouldPublishParticipant: () => true,
        shouldSubscribeToParticipant: () => SubscribeType.NONE,
      });
      (window as unknown as { video: unknown }).video = streams.find((x: { streamType: string }) => x.streamType === 'video');
      await s.join();
    }, stageName);

    await new Promise((r) => setTimeout(r, 9000));
    const sent = await publisher.evaluate(async () => {
      const video = (window as unknown as { video: { getStats(): Promise<RTCStatsReport> } }).video;
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

    const firstFrameMs: number[] = [];
    const viewer = await openBenchPage(browser, server.url);
    for (let run = 0; run < RUNS; run++) {
      firstFrameMs.push(
        await viewer.evaluate(async (stage) => {
          const { Stage, SubscribeType, StageEvents, StageParticipantSubscribeState } = await import('/dist/sdk.js' as string);
          const token = (await (await fetch(`/dev/token?stage=${stage}&userId=viewer&publish=0`)).json()).token;
          const s = new Stage(token, {
            stageStreamsToPublish: () => [],
            shouldPublishParticipant: () => false,
            shouldSubscribeToParticipant: () => SubscribeType.AUDIO_VIDEO,
          });
          let subscribeAt = 0;
          const frame = new Promise<number>((resolve) => {
            s.on(StageEvents.STAGE_PARTICIPANT_SUBSCRIBE_STATE_CHANGED, (_: unknown, state: string) => {
              if (state === StageParticipantSubscribeState.ATTEMPTING_SUBSCRIBE) subscribeAt = performance.now();
            });
            s.on(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, (_: unknown, streams: Array<{ streamType: string; mediaStreamTrack: MediaStreamTrack }>) => {
              const video = streams.find((x) => x.streamType === 'video');
              if (!video) return;
              const el = document.createElement('video');
              el.muted = true;
              el.srcObject = new MediaStream([video.mediaStreamTrack]);
              el.requestVideoFrameCallback(() => resolve(performance.now() - subscribeAt));
              void el.play();
            });
          });
          await s.join();
          const ms = await frame;
          await s.leave();
          return ms;
        }, stageName),
      );
    }

    const result = {
      date: new Date().toISOString(),
      publisher: { sentKbpsAfter10s: Math.round(sent.kbps), width: sent.width, height: sent.height, qualityLimitation: sent.limitation },
      subscribeToFirstFrameMs: { median: Math.round(median(firstFrameMs)), runs: firstFrameMs.map(Math.round) },
    };
    printTable(
      ['metric', 'median', 'runs', 'target'],
      [
        ['publisher sent bitrate after 10 s (kbit/s)', result.publisher.sentKbpsAfter10s, `${sent.width}x${sent.height} (limited by: ${sent.limitation})`, '≥ 1000'],
        ['subscribe → first decoded frame (ms)', result.subscribeToFirstFrameMs.median, result.subscribeToFirstFrameMs.runs.join(' '), '—'],
      ],
    );
    return result;
  } finally {
    await browser.close();
    await server.stop();
  }
}

