/**
 * The capacity benchmark's publisher on Janus: a page with a plain
 * RTCPeerConnection (the camera at 640×480 30 fps and the microphone, VP8 +
 * Opus) publishes into a new VideoRoom; the bench process relays the
 * signalling to Janus' HTTP API. Like bench-page.ts' joinAsPublisher, the
 * page keeps `window.benchVideo` (here the video RTCRtpSender) for
 * `sentVideoBitrate`.
 */
import type { Browser, Page } from 'puppeteer-core';
import { JanusSession } from './janus-videoroom.js';

/**
 * The room's REMB ceiling. Janus sends the publisher this bitrate as its
 * estimate, so it must allow the ~1.7 Mbit/s the clip needs (its 128 kbit/s
 * sample default would starve the stream).
 */
const ROOM_BITRATE = 2_000_000;

export interface JanusPublisher {
  page: Page;
  room: number;
  /** The publisher's feed id, what subscribers join. */
  feed: number;
  stop(): Promise<void>;
}

export async function publishToJanus(browser: Browser, apiUrl: string, adminKey: string): Promise<JanusPublisher> {
  const session = await JanusSession.create(apiUrl);
  const page = await browser.newPage();
  try {
    // getUserMedia needs a secure context, which localhost is: answer the page's requests from here, no server needed.
    await page.setRequestInterception(true);
    page.on('request', (request) => void request.respond({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Janus publisher</title>' }));
    // tsx compiles the functions passed to evaluate() with esbuild's keepNames helper; give the page one.
    await page.evaluateOnNewDocument('globalThis.__name = (fn) => fn;');
    await page.goto('http://localhost/janus-publisher');
    const handle = await session.attachVideoRoom();
    const created = await handle.request({
      request: 'create',
      admin_key: adminKey,
      publishers: 1,
      bitrate: ROOM_BITRATE,
      audiocodec: 'opus',
      videocodec: 'vp8',
      permanent: false,
    });
    const room = created.data.room as number;
    const joined = await handle.request({ request: 'join', ptype: 'publisher', room, display: 'publisher' });
    const feed = joined.data.id as number;
    const offer = await page.evaluate(async () => {
      const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480, frameRate: 30 } });
      const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
      for (const track of media.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [media] });
      await pc.setLocalDescription();
      await new Promise<void>((resolve) => {
        if (pc.iceGatheringState === 'complete') return resolve();
        pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
      });
      const benchVideo = pc.getSenders().find((s) => s.track?.kind === 'video');
      Object.assign(window, { benchPc: pc, benchVideo });
      return pc.localDescription!.sdp;
    });
    const published = await handle.request({ request: 'publish', audio: true, video: true }, { type: 'offer', sdp: offer, trickle: false });
    if (published.jsep?.type !== 'answer') throw new Error('janus answered the publisher without SDP');
    const answer = published.jsep.sdp;
    await page.evaluate(async (sdp) => {
      const pc = (window as unknown as { benchPc: RTCPeerConnection }).benchPc;
      await pc.setRemoteDescription({ type: 'answer', sdp });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('publisher did not connect to janus in 15 s')), 15_000);
        const check = () => {
          if (pc.connectionState !== 'connected') return;
          clearTimeout(timer);
          resolve();
        };
        pc.addEventListener('connectionstatechange', check);
        check();
      });
    }, answer);
    return {
      page,
      room,
      feed,
      async stop() {
        await page.close().catch(() => {});
        await session.destroy();
      },
    };
  } catch (err) {
    await page.close().catch(() => {});
    await session.destroy();
    throw err;
  }
}
