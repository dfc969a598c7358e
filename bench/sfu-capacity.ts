/**
 * SFU capacity: one Chromium publisher (the motion clip, 640×480 30 fps) and N
 * cheap subscribers (real ICE/DTLS-SRTP peers that count packets without
 * decrypting) for N = 10, 20, 40, 80, …, first against our server, then
 * against Janus' VideoRoom in the same run (lib/janus-process.ts; skipped with
 * a message when Janus is not installed). The SFU is pinned to core 0, the
 * publisher and the subscribers to core 1. Reports CPU per forwarded packet,
 * % of a core and RSS per subscriber, loss, and ours/Janus side by side.
 *
 * BENCH_CPU_PROF=<dir> runs our server with `node --cpu-prof` into that folder.
 * BENCH_MAX_SUBSCRIBERS caps N (default 320). BENCH_SERVER=<path/to/cli.js>
 * runs another build of our server (e.g. an older commit's, for before/after).
 * BENCH_JANUS=0 measures ours alone, e.g. while working on the SFU.
 * BENCH_JANUS_EVENT_LOOPS=<n> sets Janus' pool of media threads (default 1,
 * one per core it runs on; 0: Janus' shipped default, a thread per handle).
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { launchChromium } from '../test/helpers/node/chromium.js';
import { BUILT_SERVER, startServerProcess } from '../test/helpers/node/stage-server-process.mjs';
import { joinAsPublisher, openBenchPage } from './lib/bench-page.js';
import { HOST_ADDRESS, janusUnavailable, startJanus } from './lib/janus-process.js';
import { publishToJanus } from './lib/janus-publisher.js';
import { childPids, pinToCores } from './lib/process-stats.js';
import { LOSS_LIMIT, type Row, type SfuMeasurement, measureSfu, round } from './lib/sfu-measure.js';
import { printTable } from './lib/stats.js';
import { writeMotionClip } from './lib/y4m.js';

const RAMP_MS = 12_000;
/** Janus' media threads: one loop per core it is pinned to, which measured cheaper than its default thread per handle. */
const JANUS_EVENT_LOOPS = Number(process.env.BENCH_JANUS_EVENT_LOOPS ?? 1);
const SERVER_CORE = '0';
const LOAD_CORE = '1';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runSfuCapacity(): Promise<Record<string, unknown>> {
  const clip = writeMotionClip(join(tmpdir(), 'stage-bench-motion-640x480.y4m'));
  const maxSubscribers = Number(process.env.BENCH_MAX_SUBSCRIBERS ?? 320);
  // Everything this process starts from here on (Chromium, the subscribers) runs on the load core.
  pinToCores(process.pid, LOAD_CORE);
  const browser = await launchChromium([`--use-file-for-fake-video-capture=${clip}`]);
  try {
    console.log('ours:');
    const ours = await measureOurs(browser, maxSubscribers);
    printMeasurement(ours);
    console.log(`publisher's publish states: ${ours.publishStates.join(' → ')}`);
    console.log('\nJanus (VideoRoom, in a network namespace):');
    const janus = await measureJanus(browser, maxSubscribers);
    if ('skipped' in janus) {
      console.log(`Janus column skipped: ${janus.skipped}`);
      return { date: new Date().toISOString(), ...ours, janus };
    }
    console.log(`Janus ${janus.version}, ${janus.eventLoops ? `event_loops = ${janus.eventLoops}` : 'a thread per handle'}:`);
    printMeasurement(janus);
    const comparison = compare(ours.rows, janus.rows);
    console.log('\nours vs Janus, same run (ours / Janus below 1: ours costs less):');
    printComparison(comparison);
    return { date: new Date().toISOString(), ...ours, janus, comparison };
  } finally {
    await browser.close();
    pinToCores(process.pid, `${SERVER_CORE},${LOAD_CORE}`);
  }
}

async function measureOurs(browser: Browser, maxSubscribers: number): Promise<SfuMeasurement & { server: string; publishStates: string[] }> {
  const profileDir = process.env.BENCH_CPU_PROF;
  const serverScript = process.env.BENCH_SERVER ? [process.env.BENCH_SERVER] : BUILT_SERVER;
  const serverArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, ...serverScript] : serverScript;
  // Every load subscriber connects from loopback: lift the per-address connection limit the load would trip.
  const server = await startServerProcess(serverArgs, { STAGE_CONNECT_RATE: '1000', STAGE_CONNECT_BURST: '5000' });
  try {
    const pid = childPids(process.pid).find((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(serverScript[0]));
    if (!pid) throw new Error('cannot find the server process');
    pinToCores(pid, SERVER_CORE);
    const stage = `capacity-${Date.now()}`;
    const page = await openBenchPage(browser, server.url);
    try {
      const { participantId: publisherId } = await joinAsPublisher(page, stage);
      await sleep(RAMP_MS);
      const loadScript = new URL('./lib/whep-counter.ts', import.meta.url);
      const measured = await measureSfu({ pid, page, loadScript, subscribeParams: { origin: server.url, stage, publisherId } }, maxSubscribers);
      const publishStates = await page.evaluate(() => (window as unknown as { benchPublishStates: string[] }).benchPublishStates);
      return { server: serverScript[0], ...measured, publishStates };
    } finally {
      await page.close();
    }
  } finally {
    await server.stop();
  }
}

/** Janus' column, or why there is none (not installed, or it failed: ours is reported either way). */
async function measureJanus(browser: Browser, maxSubscribers: number): Promise<(SfuMeasurement & { version: string; eventLoops: number }) | { skipped: string }> {
  const unavailable = janusUnavailable();
  if (unavailable) return { skipped: unavailable };
  let janus: Awaited<ReturnType<typeof startJanus>> | undefined;
  try {
    janus = await startJanus(SERVER_CORE, JANUS_EVENT_LOOPS || undefined);
    const publisher = await publishToJanus(browser, janus.apiUrl, janus.adminKey);
    try {
      await sleep(RAMP_MS);
      const loadScript = new URL('./lib/janus-counter.ts', import.meta.url);
      const subscribeParams = { apiUrl: janus.apiUrl, room: publisher.room, feed: publisher.feed, hostAddress: HOST_ADDRESS };
      return { version: janus.version, eventLoops: JANUS_EVENT_LOOPS, ...(await measureSfu({ pid: janus.pid, page: publisher.page, loadScript, subscribeParams }, maxSubscribers)) };
    } finally {
      await publisher.stop();
    }
  } catch (err) {
    const log = janus ? `\nlast lines of Janus' log:\n${janus.logTail()}` : '';
    return { skipped: `Janus failed: ${(err as Error).stack ?? err}${log}` };
  } finally {
    await janus?.stop();
  }
}

function printMeasurement({ publisherOnly, rows, firstNWithLossOver1Percent, failedSubscribers }: SfuMeasurement): void {
  printTable(
    ['N', 'connected', 'packets/s out', 'server % core', 'µs CPU / packet', 'µs above baseline', '% core / sub', 'RSS MiB / sub', 'loss %', 'publisher kbit/s', 'load % core', 'µs / packet per window'],
    rows.map((r) => [r.subscribers, r.connected, r.packetsPerSecond, r.serverCorePercent, r.cpuMicrosPerPacket, r.marginalMicrosPerPacket, r.corePercentPerSubscriber, r.rssMiBPerSubscriber, r.lossPercent, `${r.publisherKbps} (${r.publisherLimitation})`, r.loadCorePercent, r.windowsMicrosPerPacket.join(' ')]),
  );
  console.log(`publisher only: server at ${publisherOnly.serverCorePercent} % of a core, publisher ${publisherOnly.publisherKbps} kbit/s`);
  console.log(`first N with loss > ${LOSS_LIMIT * 100} %: ${firstNWithLossOver1Percent ?? `none up to ${rows.at(-1)?.subscribers}`}`);
  if (failedSubscribers) console.log(`${failedSubscribers} subscribers failed to connect while being added`);
}

interface Comparison {
  n: number;
  ours: { corePercentPerSubscriber: number; cpuMicrosPerPacket: number; publisherKbps: number; subscribers: number };
  janus: { corePercentPerSubscriber: number; cpuMicrosPerPacket: number; publisherKbps: number; subscribers: number };
  /** ours / Janus: below 1, ours costs less. */
  corePerSubscriberRatio: number;
  microsPerPacketRatio: number;
}

/** % core per subscriber and µs per packet of both SFUs at each N of the run, with the ratio ours/Janus. */
function compare(ours: Row[], janus: Row[]): Comparison[] {
  const pick = (r: Row) => ({ corePercentPerSubscriber: r.corePercentPerSubscriber, cpuMicrosPerPacket: r.cpuMicrosPerPacket, publisherKbps: r.publisherKbps, subscribers: r.subscribers });
  return ours.flatMap((o) => {
    const j = janus.find((r) => r.step === o.step);
    if (!j) return [];
    return [
      {
        n: o.step,
        ours: pick(o),
        janus: pick(j),
        corePerSubscriberRatio: round(o.serverCorePercent / o.subscribers / (j.serverCorePercent / j.subscribers), 2),
        microsPerPacketRatio: round(o.cpuMicrosPerPacket / j.cpuMicrosPerPacket, 2),
      },
    ];
  });
}

function printComparison(rows: Comparison[]): void {
  printTable(
    ['N', 'ours % core / sub', 'Janus % core / sub', 'ours / Janus', 'ours µs / packet', 'Janus µs / packet', 'ours / Janus', 'publisher kbit/s ours / Janus'],
    rows.map((c) => [c.n, c.ours.corePercentPerSubscriber, c.janus.corePercentPerSubscriber, c.corePerSubscriberRatio, c.ours.cpuMicrosPerPacket, c.janus.cpuMicrosPerPacket, c.microsPerPacketRatio, `${c.ours.publisherKbps} / ${c.janus.publisherKbps}`]),
  );
}
