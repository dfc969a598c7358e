/**
 * refreshStrategy cost: on a stage with 12 publishers and 50 participants in
 * all (through the real server), one participant subscribed to all 12 calls
 * `refreshStrategy()` with nothing changed, many times; reports microseconds
 * per call and how many network requests those calls made (a no-op refresh
 * must make none). Publishers send a small canvas track to keep Chromium
 * cheap; the other participants join subscribe-only and subscribe to nobody.
 */
import type { Page } from 'puppeteer-core';
import { launchChromium } from '../test/helpers/node/chromium.js';
import { startServerProcess } from '../test/helpers/node/stage-server-process.mjs';
import { openBenchPage } from './lib/bench-page.js';
import { median, printTable } from './lib/stats.js';

const PUBLISHERS = 12;
const PARTICIPANTS = 50;
const CALLS_PER_ROUND = 2000;
const ROUNDS = 7;

/** Joins the crowd: publishers of a small canvas track, then subscribe-only participants subscribing to nobody. */
async function joinCrowd(page: Page, stage: string): Promise<void> {
  await page.evaluate(
    async (stage, publishers, others) => {
      const { Stage, LocalStageStream, SubscribeType } = await import('/dist/sdk.js' as string);
      const join = async (userId: string, publish: boolean) => {
        const { token } = await (await fetch(`/dev/token?stage=${stage}&userId=${userId}&publish=${publish ? 1 : 0}`)).json();
        let streams: unknown[] = [];
        if (publish) {
          const canvas = Object.assign(document.createElement('canvas'), { width: 64, height: 48 });
          canvas.getContext('2d')!.fillRect(0, 0, 64, 48);
          streams = canvas.captureStream(5).getVideoTracks().map((t) => new LocalStageStream(t));
        }
        const s = new Stage(token, {
          stageStreamsToPublish: () => streams,
          shouldPublishParticipant: () => publish,
          shouldSubscribeToParticipant: () => SubscribeType.NONE,
        });
        await s.join();
      };
      for (let i = 0; i < publishers; i++) await join(`publisher-${i}`, true);
      for (let i = 0; i < others; i++) await join(`participant-${i}`, false);
    },
    stage,
    PUBLISHERS,
    PARTICIPANTS - PUBLISHERS - 1,
  );
}

/** Joins as the measuring participant, subscribed to every publisher; resolves once all are subscribed. */
async function joinMeasurer(page: Page, stage: string): Promise<void> {
  await page.evaluate(
    async (stage, publishers) => {
      const { Stage, SubscribeType, StageEvents, StageParticipantSubscribeState } = await import('/dist/sdk.js' as string);
      const { token } = await (await fetch(`/dev/token?stage=${stage}&userId=measurer&publish=0`)).json();
      const s = new Stage(token, {
        stageStreamsToPublish: () => [],
        shouldPublishParticipant: () => false,
        shouldSubscribeToParticipant: () => SubscribeType.AUDIO_VIDEO,
      });
      const subscribed = new Set<string>();
      const all = new Promise<void>((resolve) => {
        s.on(StageEvents.STAGE_PARTICIPANT_SUBSCRIBE_STATE_CHANGED, (info: { id: string }, state: string) => {
          if (state === StageParticipantSubscribeState.SUBSCRIBED) subscribed.add(info.id);
          if (subscribed.size === publishers) resolve();
        });
      });
      Object.assign(window, { benchMeasurer: s });
      await s.join();
      await all;
    },
    stage,
    PUBLISHERS,
  );
}

/** Runs `calls` no-op refreshes and lets any work they queued finish; returns µs per call and the requests (fetch, WebSocket send, createOffer) made meanwhile. */
function measureRound(page: Page, calls: number): Promise<{ microsPerCall: number; requests: number }> {
  return page.evaluate(async (calls) => {
    const stage = (window as unknown as { benchMeasurer: { refreshStrategy(): void } }).benchMeasurer;
    let requests = 0;
    const fetch = window.fetch;
    const send = WebSocket.prototype.send;
    type CreateOffer = (this: RTCPeerConnection, options?: RTCOfferOptions) => Promise<RTCSessionDescriptionInit>;
    const proto = RTCPeerConnection.prototype as unknown as { createOffer: CreateOffer };
    const createOffer = proto.createOffer;
    window.fetch = (...args) => (requests++, fetch(...args));
    WebSocket.prototype.send = function (this: WebSocket, data) {
      requests++;
      return send.call(this, data);
    };
    // A renegotiation counts too, even before it reaches the network.
    proto.createOffer = function (options) {
      requests++;
      return createOffer.call(this, options);
    };
    try {
      const start = performance.now();
      for (let i = 0; i < calls; i++) stage.refreshStrategy();
      await new Promise((r) => setTimeout(r, 0));
      const elapsed = performance.now() - start;
      // A refresh that did schedule network work would send it within a moment.
      await new Promise((r) => setTimeout(r, 200));
      return { microsPerCall: (elapsed * 1000) / calls, requests };
    } finally {
      window.fetch = fetch;
      WebSocket.prototype.send = send;
      proto.createOffer = createOffer;
    }
  }, calls);
}

export async function runRefreshStrategy(): Promise<Record<string, unknown>> {
  const server = await startServerProcess();
  const browser = await launchChromium();
  try {
    const stage = `bench-refresh-${Date.now()}`;
    const crowd = await openBenchPage(browser, server.url);
    await joinCrowd(crowd, stage);
    const page = await openBenchPage(browser, server.url);
    await joinMeasurer(page, stage);
    const rounds: { microsPerCall: number; requests: number }[] = [];
    for (let i = 0; i < ROUNDS; i++) rounds.push(await measureRound(page, CALLS_PER_ROUND));
    const microsPerCall = median(rounds.map((r) => r.microsPerCall));
    const requests = rounds.reduce((sum, r) => sum + r.requests, 0);
    printTable(
      ['metric', 'median', `rounds of ${CALLS_PER_ROUND} calls`],
      [
        [`no-op refreshStrategy() with ${PUBLISHERS} publishers, ${PARTICIPANTS} participants (µs per call)`, microsPerCall.toFixed(2), rounds.map((r) => r.microsPerCall.toFixed(2)).join(' ')],
        ['fetch / WebSocket sends / createOffer calls during those refreshes', requests, `${ROUNDS * CALLS_PER_ROUND} calls`],
      ],
    );
    return {
      date: new Date().toISOString(),
      publishers: PUBLISHERS,
      participants: PARTICIPANTS,
      callsPerRound: CALLS_PER_ROUND,
      microsPerCall: Number(microsPerCall.toFixed(2)),
      rounds: rounds.map((r) => ({ microsPerCall: Number(r.microsPerCall.toFixed(2)), requests: r.requests })),
      networkRequests: requests,
    };
  } finally {
    await browser.close();
    await server.stop();
  }
}
