/**
 * SFU capacity: one Chromium publisher (the motion clip, 640×480 30 fps) and N
 * cheap subscribers (lib/whep-counter.ts: real ICE/DTLS-SRTP peers that count
 * packets without decrypting) for N = 10, 20, 40, 80, …; the server is pinned
 * to core 0, the publisher and the subscribers to core 1. Reports server CPU
 * per forwarded packet, % of a core and RSS per subscriber, and loss.
 *
 * BENCH_CPU_PROF=<dir> runs the server with `node --cpu-prof` into that folder.
 * BENCH_MAX_SUBSCRIBERS caps N (default 320). BENCH_SERVER=<path/to/cli.js>
 * runs another build of the server (e.g. an older commit's, for before/after).
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { launchChromium } from '../test/helpers/node/chromium.js';
import { BUILT_SERVER, startServerProcess } from '../test/helpers/node/stage-server-process.mjs';
import { joinAsPublisher, openBenchPage, sentVideoBitrate } from './lib/bench-page.js';
import { printTable } from './lib/stats.js';
import { childPids, cpuMicros, pinToCores, rssBytes } from './lib/process-stats.js';
import { writeMotionClip } from './lib/y4m.js';

const STEPS = [10, 20, 40, 80, 160, 320, 640];
const RAMP_MS = 12_000;
const SETTLE_MS = 3_000;
const RECOVER_MS = 45_000;
const WINDOW_MS = 10_000;
const LOSS_LIMIT = 0.01;
const SERVER_CORE = '0';
const LOAD_CORE = '1';

interface Row {
  subscribers: number;
  /** Subscribers whose peer connection is still connected at the end of the window. */
  connected: number;
  packetsPerSecond: number;
  serverCorePercent: number;
  cpuMicrosPerPacket: number;
  /** CPU above the publisher-only baseline, per forwarded packet: the cost of forwarding itself. */
  marginalMicrosPerPacket: number;
  corePercentPerSubscriber: number;
  rssMiBPerSubscriber: number;
  lossPercent: number;
  publisherKbps: number;
  publisherLimitation: string;
  /** CPU of the subscriber process on the load core, to tell its saturation from the server's. */
  loadCorePercent: number;
}

type LoadReply = { type: 'added'; connected: number; failed: number } | { type: 'sample'; received: number; expected: number; live: number } | { type: 'error'; message: string };

function ask(child: ChildProcess, message: object): Promise<LoadReply> {
  return new Promise((resolve, reject) => {
    child.once('message', (reply: LoadReply) => (reply.type === 'error' ? reject(new Error(reply.message)) : resolve(reply)));
    child.send(message);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function janusStatus(): string {
  try {
    execFileSync('which', ['janus'], { stdio: 'ignore' });
    return 'janus is installed, but the Janus VideoRoom driver is not written yet: no Janus column';
  } catch {
    return 'Janus column skipped: janus is not installed (apt-get install -y janus); the bench installs nothing';
  }
}

export async function runSfuCapacity(): Promise<Record<string, unknown>> {
  const clip = writeMotionClip(join(tmpdir(), 'stage-bench-motion-640x480.y4m'));
  const maxSubscribers = Number(process.env.BENCH_MAX_SUBSCRIBERS ?? 320);
  const profileDir = process.env.BENCH_CPU_PROF;
  // Everything this process starts from here on (Chromium, the subscribers) runs on the load core.
  pinToCores(process.pid, LOAD_CORE);
  const serverScript = process.env.BENCH_SERVER ? [process.env.BENCH_SERVER] : BUILT_SERVER;
  const serverArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, ...serverScript] : serverScript;
  const server = await startServerProcess(serverArgs);
  const serverPid = childPids(process.pid).find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(serverScript[0]));
  if (!serverPid) throw new Error('cannot find the server process');
  pinToCores(serverPid, SERVER_CORE);
  const browser = await launchChromium([`--use-file-for-fake-video-capture=${clip}`]);
  const load = fork(new URL('./lib/whep-counter.ts', import.meta.url), { execArgv: ['--import', 'tsx'] });
  const rows: Row[] = [];
  try {
    const stage = `capacity-${Date.now()}`;
    const page = await openBenchPage(browser, server.url);
    const { participantId: publisherId } = await joinAsPublisher(page, stage);
    await sleep(RAMP_MS);

    let baselineCpuPerSecond = 0;
    const measure = async (subscribers: number, baseRss: number): Promise<Row> => {
      const cpu0 = cpuMicros(serverPid);
      const loadCpu0 = cpuMicros(load.pid!);
      const at0 = performance.now();
      const s0 = (await ask(load, { type: 'sample' })) as { received: number; expected: number };
      await sleep(WINDOW_MS);
      const s1 = (await ask(load, { type: 'sample' })) as { received: number; expected: number; live: number };
      const cpu = cpuMicros(serverPid) - cpu0;
      const loadCpu = cpuMicros(load.pid!) - loadCpu0;
      const seconds = (performance.now() - at0) / 1000;
      const forwarded = s1.expected - s0.expected;
      const serverCorePercent = cpu / 1e4 / seconds;
      const sent = await sentVideoBitrate(page);
      return {
        subscribers,
        connected: s1.live,
        packetsPerSecond: Math.round(forwarded / seconds),
        serverCorePercent: round(serverCorePercent, 1),
        cpuMicrosPerPacket: forwarded ? round(cpu / forwarded, 1) : NaN,
        marginalMicrosPerPacket: forwarded ? round((cpu - baselineCpuPerSecond * seconds) / forwarded, 1) : NaN,
        corePercentPerSubscriber: subscribers ? round(serverCorePercent / subscribers, 2) : NaN,
        rssMiBPerSubscriber: subscribers ? round((rssBytes(serverPid) - baseRss) / subscribers / 2 ** 20, 2) : NaN,
        lossPercent: forwarded ? round((100 * (forwarded - (s1.received - s0.received))) / forwarded, 2) : NaN,
        publisherKbps: Math.round(sent.kbps),
        publisherLimitation: sent.limitation,
        loadCorePercent: round(loadCpu / 1e4 / seconds, 1),
      };
    };

    const baseRss = rssBytes(serverPid);
    const publisherOnly = await measure(0, baseRss);
    baselineCpuPerSecond = publisherOnly.serverCorePercent * 1e4;
    let connected = 0;
    for (const n of STEPS) {
      if (n > maxSubscribers) break;
      const reply = (await ask(load, { type: 'add', count: n - connected, origin: server.url, stage, publisherId })) as { connected: number; failed: number };
      connected = reply.connected;
      if (reply.failed) console.log(`  ${reply.failed} of ${n} subscribers failed to connect`);
      // Setting up many DTLS sessions stalls the server's event loop, which its
      // delay-based estimate reads as queueing: let the publisher climb back first.
      await waitForBitrate(page, publisherOnly.publisherKbps * 0.8);
      await sleep(SETTLE_MS);
      const row = await measure(connected, baseRss);
      rows.push(row);
      console.log(`  N=${row.subscribers}: ${row.cpuMicrosPerPacket} µs/packet (${row.marginalMicrosPerPacket} above baseline), ${row.serverCorePercent} % of a core, loss ${row.lossPercent} %`);
      if (row.lossPercent > LOSS_LIMIT * 100) break;
    }
    const firstLossy = rows.find((r) => r.lossPercent > LOSS_LIMIT * 100)?.subscribers ?? null;
    printTable(
      ['N', 'connected', 'packets/s out', 'server % core', 'µs CPU / packet', 'µs above baseline', '% core / sub', 'RSS MiB / sub', 'loss %', 'publisher kbit/s', 'load % core'],
      rows.map((r) => [r.subscribers, r.connected, r.packetsPerSecond, r.serverCorePercent, r.cpuMicrosPerPacket, r.marginalMicrosPerPacket, r.corePercentPerSubscriber, r.rssMiBPerSubscriber, r.lossPercent, `${r.publisherKbps} (${r.publisherLimitation})`, r.loadCorePercent]),
    );
    console.log(`publisher only: server at ${publisherOnly.serverCorePercent} % of a core, publisher ${publisherOnly.publisherKbps} kbit/s`);
    console.log(`first N with loss > 1 %: ${firstLossy ?? `none up to ${rows.at(-1)?.subscribers}`}`);
    const publishStates = await page.evaluate(() => (window as unknown as { benchPublishStates: string[] }).benchPublishStates);
    console.log(`publisher's publish states: ${publishStates.join(' → ')}`);
    const janus = janusStatus();
    console.log(janus);
    return { date: new Date().toISOString(), server: serverScript[0], publisherOnly, rows, firstNWithLossOver1Percent: firstLossy, publishStates, janus };
  } finally {
    const exited = new Promise((r) => load.once('exit', r));
    load.send({ type: 'close' });
    await Promise.race([exited, sleep(5000)]);
    load.kill();
    await browser.close();
    await server.stop();
    pinToCores(process.pid, `${SERVER_CORE},${LOAD_CORE}`);
  }
}

/** Waits (up to RECOVER_MS) until the publisher sends at least `kbps` of video. */
async function waitForBitrate(page: Page, kbps: number): Promise<void> {
  const until = performance.now() + RECOVER_MS;
  while (performance.now() < until && (await sentVideoBitrate(page)).kbps < kbps);
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
