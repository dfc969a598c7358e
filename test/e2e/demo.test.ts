import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from '../helpers/node/chromium.js';
import { BUILT_SERVER, startServerProcess } from '../helpers/node/stage-server-process.mjs';
import { waitForValue } from '../helpers/node/wait-for.js';

/** What one demo page receives from the other participant, read from the real RTCStatsReports. */
interface RemoteMedia {
  framesDecoded: number;
  audioPackets: number;
  audioEnergy: number;
}

/**
 * Runs in the page: the stats of the first remote participant tile, or null
 * while it lacks a video or an audio stream. A string, so the test's
 * TypeScript transform adds no helpers the page does not have.
 */
const READ_REMOTE_MEDIA = `(async () => {
  const tile = document.querySelector('ivs-stage')?.shadowRoot?.querySelector('ivs-participant');
  const video = tile?.streams.find((s) => s.streamType === 'video');
  const audio = tile?.streams.find((s) => s.streamType === 'audio');
  if (!video || !audio) return null;
  const inbound = async (stream) => [...(await stream.getStats()).values()].find((s) => s.type === 'inbound-rtp') ?? {};
  const [v, a] = await Promise.all([inbound(video), inbound(audio)]);
  return { framesDecoded: v.framesDecoded ?? 0, audioPackets: a.packetsReceived ?? 0, audioEnergy: a.totalAudioEnergy ?? 0 };
})()`;

function readRemoteMedia(page: Page): Promise<RemoteMedia | null> {
  return page.evaluate(READ_REMOTE_MEDIA) as Promise<RemoteMedia | null>;
}

/**
 * What a newcomer does after `npm install && npm start`: open the printed URL
 * in two tabs. Uses the built server and bundle, exactly as `npm start` runs them.
 */
describe('demo page end to end', { timeout: 120_000 }, () => {
  let server: Awaited<ReturnType<typeof startServerProcess>>;
  let browser: Browser;

  before(async () => {
    server = await startServerProcess(BUILT_SERVER);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('two tabs connect and each decodes the other’s video and receives its audio', async () => {
    const pages: Page[] = [];
    for (let i = 0; i < 2; i++) {
      const page = await browser.newPage();
      page.on('pageerror', (error) => console.error(`tab ${i}:`, error));
      await page.goto(server.url + '/');
      pages.push(page);
    }
    for (const page of pages) {
      await page.waitForSelector('ivs-stage[connection-state="connected"]', { timeout: 30_000 });
    }
    for (const [i, page] of pages.entries()) {
      const first = await waitForValue(`tab ${i}: remote video and audio`, () => readRemoteMedia(page), (m) => !!m && m.framesDecoded > 0);
      const later = await waitForValue(
        `tab ${i}: media still arriving`,
        () => readRemoteMedia(page),
        (m) => !!m && m.framesDecoded > first!.framesDecoded + 10 && m.audioPackets > first!.audioPackets + 10,
      );
      assert.ok(later!.audioEnergy > 0, `tab ${i} received only silence`);
    }
  });
});
