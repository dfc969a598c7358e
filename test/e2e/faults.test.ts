import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from '../helpers/node/chromium.js';
import { SOURCE_SERVER, type StageServerProcess, startServerProcess } from '../helpers/node/stage-server-process.mjs';

/**
 * Runs in each page: joins through the built SDK bundle, publishing the fake
 * camera and microphone and subscribing to everyone, and records what the
 * application would see. A string, so the page gets no helpers it lacks.
 */
const PAGE_SCRIPT = `
window.setup = async (token, reconnectTimeoutMs) => {
  const sdk = await import('/dist/sdk.js');
  const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
  const local = media.getTracks().map((track) => new sdk.LocalStageStream(track));
  window.local = local;
  const log = (window.log = { states: [], errors: [], present: new Map(), duplicates: 0, video: new Map(), audio: new Map() });
  const strategy = {
    stageStreamsToPublish: () => local,
    shouldPublishParticipant: () => true,
    shouldSubscribeToParticipant: () => sdk.SubscribeType.AUDIO_VIDEO,
  };
  const stage = (window.stage = new sdk.Stage(token, strategy, { reconnect: { timeoutMs: reconnectTimeoutMs } }));
  stage.on(sdk.StageEvents.STAGE_CONNECTION_STATE_CHANGED, (state) => log.states.push(state));
  stage.on(sdk.StageEvents.ERROR, (error) => log.errors.push(error.code));
  stage.on(sdk.StageEvents.STAGE_PARTICIPANT_JOINED, (p) => {
    if (p.isLocal) return;
    if (log.present.has(p.userId)) log.duplicates++;
    log.present.set(p.userId, Date.now());
  });
  stage.on(sdk.StageEvents.STAGE_PARTICIPANT_LEFT, (p) => log.present.delete(p.userId));
  stage.on(sdk.StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, (p, streams) => {
    for (const s of streams) (s.streamType === 'video' ? log.video : log.audio).set(p.userId, s);
  });
  stage.on(sdk.StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED, (p, streams) => {
    for (const s of streams) for (const map of [log.video, log.audio]) if (map.get(p.userId) === s) map.delete(p.userId);
  });
  await stage.join();
};
window.framesDecoded = async (stream) => {
  let total = 0;
  (await stream.getStats()).forEach((entry) => { if (entry.type === 'inbound-rtp') total += entry.framesDecoded ?? 0; });
  return total;
};
/** True while the remote participant's video is decoding: frames advance over 300 ms on one stream. */
window.videoFlows = async (userId) => {
  const stream = window.log.video.get(userId);
  if (!stream) return false;
  const before = await window.framesDecoded(stream);
  await new Promise((resolve) => setTimeout(resolve, 300));
  return window.log.video.get(userId) === stream && (await window.framesDecoded(stream)) > before;
};
window.audioMuted = (userId) => window.log.audio.get(userId)?.isMuted;
window.state = () => ({ states: window.log.states, errors: window.log.errors, present: [...window.log.present.keys()], duplicates: window.log.duplicates });
`;

/**
 * Faults made to a real server during a two-participant call in real
 * Chromium, through the process helpers: a freeze, a restart, SIGTERM, a
 * browser that dies. Uses the built SDK bundle (`npm test` builds first).
 * Waits poll on a timer: background tabs run no animation frames.
 */
describe('a call survives server faults', { timeout: 300_000 }, () => {
  let server: StageServerProcess;
  let browser: Browser;
  let alice: Page;
  let bob: Page;

  async function participant(userId: string, reconnectTimeoutMs = 60_000, inBrowser = browser): Promise<Page> {
    const page = await inBrowser.newPage();
    // Same origin as the SDK bundle and the events socket.
    await page.goto(`${server.url}/dist/sdk.js`);
    await page.evaluate(PAGE_SCRIPT);
    const response = await fetch(`${server.url}/dev/token?stage=faults&userId=${userId}`);
    const { token } = (await response.json()) as { token: string };
    await page.evaluate((t, ms) => (window as unknown as { setup(t: string, ms: number): Promise<void> }).setup(t, ms), token, reconnectTimeoutMs);
    return page;
  }

  const videoFlows = (page: Page, from: string) => page.evaluate((id) => (window as unknown as { videoFlows(id: string): Promise<boolean> }).videoFlows(id), from);
  const stateOf = (page: Page) =>
    page.evaluate(() => (window as unknown as { state(): { states: string[]; errors: number[]; present: string[]; duplicates: number } }).state());

  /** Polls until both directions of the call decode video; resolves with when that was first seen. */
  async function callFlows(timeoutMs: number): Promise<number> {
    const started = performance.now();
    for (;;) {
      const [a, b] = await Promise.all([videoFlows(alice, 'bob'), videoFlows(bob, 'alice')]);
      if (a && b) return performance.now();
      if (performance.now() - started > timeoutMs) throw new Error(`video did not flow both ways within ${timeoutMs} ms (alice sees bob: ${a}, bob sees alice: ${b})`);
    }
  }

  async function assertNoDuplicates(): Promise<void> {
    for (const [page, other] of [[alice, 'bob'], [bob, 'alice']] as const) {
      const state = await stateOf(page);
      assert.equal(state.duplicates, 0, 'a participant appeared twice');
      assert.deepEqual(state.present, [other]);
    }
  }

  before(async () => {
    server = await startServerProcess(SOURCE_SERVER);
    browser = await launchChromium();
    alice = await participant('alice');
    bob = await participant('bob');
    await callFlows(15_000);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('(a) sees video again within 5 s after the server was frozen for 5 s, with nobody twice', async () => {
    server.freeze();
    await new Promise((resolve) => setTimeout(resolve, 5000));
    server.resume();
    const resumed = performance.now();
    const back = await callFlows(5000);
    console.log(`video back ${Math.round(back - resumed)} ms after a 5 s freeze`);
    await assertNoDuplicates();
  });

  it('(c) is back with video and mute states within 3 s of a restarted server listening', async () => {
    await alice.evaluate(() => (window as unknown as { local: { streamType: string; setMuted(m: boolean): void }[] }).local.find((s) => s.streamType === 'audio')!.setMuted(true));
    const mutedSeen = async () => (await bob.evaluate(() => (window as unknown as { audioMuted(id: string): boolean }).audioMuted('alice'))) === true;
    for (let i = 0; !(await mutedSeen()); i++) {
      assert.ok(i < 50, 'bob never saw alice mute');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const listening = await server.restart();
    const back = await callFlows(10_000);
    console.log(`video back ${Math.round(back - listening)} ms after the restarted server listened`);
    assert.ok(back - listening < 3000, `video came back ${Math.round(back - listening)} ms after the server listened`);
    assert.equal(await mutedSeen(), true, 'alice is still muted after the rejoin');
    await assertNoDuplicates();
  });

  it('(e) reconnects by itself across a SIGTERM and a restart', async () => {
    await server.kill('SIGTERM');
    await server.restart();
    await callFlows(10_000);
    await assertNoDuplicates();
  });

  it('(d) tells the others within 10 s that a participant whose browser died has left', async () => {
    const other = await launchChromium();
    const carol = await participant('carol', 60_000, other);
    await carol.waitForFunction(() => (window as unknown as { state(): { present: string[] } }).state().present.length === 2, { timeout: 15_000, polling: 200 });
    const killed = performance.now();
    // The whole process group: the browser, its renderers and its network service, as when a machine loses power.
    process.kill(-other.process()!.pid!, 'SIGKILL');
    await alice.waitForFunction(() => !(window as unknown as { state(): { present: string[] } }).state().present.includes('carol'), { timeout: 10_000, polling: 200 });
    console.log(`carol left ${Math.round(performance.now() - killed)} ms after her browser was killed`);
    await other.close().catch(() => {});
  });

  it('(b) after a 40 s freeze, gives up as configured (DISCONNECTED with an ERROR) or rejoins with video', async () => {
    const quitter = await participant('quitter', 15_000);
    await quitter.waitForFunction(() => (window as unknown as { state(): { present: string[] } }).state().present.length === 2, { timeout: 15_000, polling: 200 });
    server.freeze();
    await new Promise((resolve) => setTimeout(resolve, 40_000));
    server.resume();
    const state = await stateOf(quitter);
    assert.equal(state.states.at(-1), 'disconnected', `states ${state.states.join(' → ')}`);
    assert.ok(state.errors.length > 0, 'an ERROR was emitted');
    // The others keep trying for 60 s, so they rejoin once the server answers again.
    await callFlows(15_000);
    await assertNoDuplicates();
  });
});
