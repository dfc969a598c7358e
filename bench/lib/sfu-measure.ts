/**
 * Measures one SFU for the capacity benchmark, whichever it is (ours, Janus):
 * its publisher page is already sending; cheap subscribers (a child process,
 * subscriber-load.ts) join in steps of N = 10, 20, 40, 80, …, and for each N
 * the SFU process' CPU (/proc/<pid>/stat, all threads) and RSS are read over
 * the same window as the packets the subscribers count. Each N is measured in
 * WINDOWS consecutive windows and reported by its median window: runs of one
 * build on this machine differed by a third.
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { Page } from 'puppeteer-core';
import { sentVideoBitrate } from './bench-page.js';
import { cpuMicros, rssBytes } from './process-stats.js';

const STEPS = [10, 20, 40, 80, 160, 320, 640];
const SETTLE_MS = 3_000;
const RECOVER_MS = 45_000;
const WINDOW_MS = 10_000;
const WINDOWS = 3;
export const LOSS_LIMIT = 0.01;

/** One SFU under test, with its publisher already sending from `page`. */
export interface SfuTarget {
  /** The SFU's process: its CPU and RSS are what is measured. */
  pid: number;
  /** The child-process script of its cheap subscribers (whep-counter.ts, janus-counter.ts). */
  loadScript: URL;
  /** What that script needs to subscribe to the publisher (the `params` of its add messages). */
  subscribeParams: object;
  /** The publisher's page; `window.benchVideo.getStats()` gives its outbound video. */
  page: Page;
}

export interface Row {
  /** The N of this step: the subscribers asked for (0 for the publisher alone). */
  step: number;
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
  /** µs CPU per packet of every window of this step; the row is the median one's. */
  windowsMicrosPerPacket: number[];
}

export interface SfuMeasurement {
  /** The publisher alone (N = 0): the baseline of `marginalMicrosPerPacket`. */
  publisherOnly: Row;
  rows: Row[];
  firstNWithLossOver1Percent: number | null;
  /** Subscribers that failed to connect while being added. */
  failedSubscribers: number;
}

type LoadReply = { type: 'added'; connected: number; failed: number } | { type: 'sample'; received: number; expected: number; live: number } | { type: 'error'; message: string };

function ask(child: ChildProcess, message: object): Promise<LoadReply> {
  return new Promise((resolve, reject) => {
    child.once('message', (reply: LoadReply) => (reply.type === 'error' ? reject(new Error(reply.message)) : resolve(reply)));
    child.send(message);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Adds subscribers step by step up to `maxSubscribers` (or the first step with loss over LOSS_LIMIT), measuring each step. */
export async function measureSfu(target: SfuTarget, maxSubscribers: number): Promise<SfuMeasurement> {
  const { pid, page } = target;
  const load = fork(target.loadScript, { execArgv: ['--import', 'tsx'] });
  try {
    let baselineCpuPerSecond = 0;
    const measureWindow = async (step: number, subscribers: number, baseRss: number): Promise<Omit<Row, 'windowsMicrosPerPacket'>> => {
      const cpu0 = cpuMicros(pid);
      const loadCpu0 = cpuMicros(load.pid!);
      const at0 = performance.now();
      const s0 = (await ask(load, { type: 'sample' })) as { received: number; expected: number };
      await sleep(WINDOW_MS);
      const s1 = (await ask(load, { type: 'sample' })) as { received: number; expected: number; live: number };
      const cpu = cpuMicros(pid) - cpu0;
      const loadCpu = cpuMicros(load.pid!) - loadCpu0;
      const seconds = (performance.now() - at0) / 1000;
      const forwarded = s1.expected - s0.expected;
      const serverCorePercent = cpu / 1e4 / seconds;
      const sent = await sentVideoBitrate(page);
      return {
        step,
        subscribers,
        connected: s1.live,
        packetsPerSecond: Math.round(forwarded / seconds),
        serverCorePercent: round(serverCorePercent, 1),
        cpuMicrosPerPacket: forwarded ? round(cpu / forwarded, 1) : NaN,
        marginalMicrosPerPacket: forwarded ? round((cpu - baselineCpuPerSecond * seconds) / forwarded, 1) : NaN,
        corePercentPerSubscriber: subscribers ? round(serverCorePercent / subscribers, 2) : NaN,
        rssMiBPerSubscriber: subscribers ? round((rssBytes(pid) - baseRss) / subscribers / 2 ** 20, 2) : NaN,
        lossPercent: forwarded ? round((100 * (forwarded - (s1.received - s0.received))) / forwarded, 2) : NaN,
        publisherKbps: Math.round(sent.kbps),
        publisherLimitation: sent.limitation,
        loadCorePercent: round(loadCpu / 1e4 / seconds, 1),
      };
    };
    const measure = async (step: number, subscribers: number, baseRss: number): Promise<Row> => {
      const windows = [];
      for (let i = 0; i < WINDOWS; i++) windows.push(await measureWindow(step, subscribers, baseRss));
      const byCost = [...windows].sort((a, b) => a.cpuMicrosPerPacket - b.cpuMicrosPerPacket || a.serverCorePercent - b.serverCorePercent);
      return { ...byCost[byCost.length >> 1], windowsMicrosPerPacket: windows.map((w) => w.cpuMicrosPerPacket) };
    };

    const baseRss = rssBytes(pid);
    const publisherOnly = await measure(0, 0, baseRss);
    baselineCpuPerSecond = publisherOnly.serverCorePercent * 1e4;
    const rows: Row[] = [];
    let connected = 0;
    let failedSubscribers = 0;
    for (const n of STEPS) {
      if (n > maxSubscribers) break;
      const reply = (await ask(load, { type: 'add', count: n - connected, params: target.subscribeParams })) as { connected: number; failed: number };
      connected = reply.connected;
      failedSubscribers += reply.failed;
      if (reply.failed) console.log(`  ${reply.failed} of ${n} subscribers failed to connect`);
      // Setting up many DTLS sessions can stall an SFU, which its delay-based
      // estimate reads as queueing: let the publisher climb back first.
      await waitForBitrate(page, publisherOnly.publisherKbps * 0.8);
      await sleep(SETTLE_MS);
      const row = await measure(n, connected, baseRss);
      rows.push(row);
      console.log(`  N=${row.subscribers}: ${row.cpuMicrosPerPacket} µs/packet (${row.marginalMicrosPerPacket} above baseline), ${row.serverCorePercent} % of a core, loss ${row.lossPercent} %, publisher ${row.publisherKbps} kbit/s`);
      if (row.lossPercent > LOSS_LIMIT * 100) break;
    }
    const firstLossy = rows.find((r) => r.lossPercent > LOSS_LIMIT * 100)?.subscribers ?? null;
    return { publisherOnly, rows, firstNWithLossOver1Percent: firstLossy, failedSubscribers };
  } finally {
    const exited = new Promise((r) => load.once('exit', r));
    load.send({ type: 'close' });
    await Promise.race([exited, sleep(5000)]);
    load.kill();
  }
}

/** Waits (up to RECOVER_MS) until the publisher sends at least `kbps` of video. */
async function waitForBitrate(page: Page, kbps: number): Promise<void> {
  const until = performance.now() + RECOVER_MS;
  while (performance.now() < until && (await sentVideoBitrate(page)).kbps < kbps);
}

export function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
