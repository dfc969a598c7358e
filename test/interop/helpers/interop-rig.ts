import { after, before } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from '../../helpers/node/chromium.js';
import { SOURCE_SERVER, startServerProcess } from '../../helpers/node/stage-server-process.mjs';
import { type ThirdPartyOrigin, serveThirdPartyClient } from './third-party-page.js';

export interface InteropRig {
  server: Awaited<ReturnType<typeof startServerProcess>>;
  browser: Browser;
  /** The page origin serving the bundled npm client, when one was asked for. */
  origin: ThirdPartyOrigin;
  /** A page of `origin`; its errors and warnings go to the test output, labelled, for a failure to explain itself. */
  openClientPage(label: string): Promise<Page>;
}

/**
 * Registers before/after hooks in the calling suite: a real stage server
 * process, headless Chromium, and optionally an origin of its own that serves
 * `client.exports` of the npm package `client.package`.
 */
export function useInteropRig(client?: { package: string; exports: string[] }): InteropRig {
  const rig = {
    async openClientPage(label: string) {
      const page = await rig.browser.newPage();
      page.on('pageerror', (error) => console.error(`${label}:`, error));
      page.on('console', (message) => ['error', 'warn'].includes(message.type()) && console.error(`${label}:`, message.text()));
      await page.goto(rig.origin.url);
      return page;
    },
  } as InteropRig;
  before(async () => {
    rig.server = await startServerProcess(SOURCE_SERVER);
    if (client) rig.origin = await serveThirdPartyClient(client.package, client.exports);
    rig.browser = await launchChromium();
  });
  after(async () => {
    await rig.browser?.close();
    await rig.origin?.close();
    await rig.server?.stop();
  });
  return rig;
}
