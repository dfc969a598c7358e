import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { launchChromium } from '../helpers/node/chromium.js';
import { SOURCE_SERVER, startServerProcess } from '../helpers/node/stage-server-process.mjs';
import { devParticipant } from './helpers/dev-participant.js';
import { StageViewer } from './helpers/stage-viewer.js';
import { waitForValue } from '../helpers/node/wait-for.js';
import { startWhipClient } from './helpers/whip-client-process.js';

/**
 * Debian's simple-whip-client (Meetecho's GStreamer webrtcbin WHIP client)
 * publishes into a stage with nothing but the token's whip_url and the token
 * as bearer, and a browser Stage participant decodes its video.
 *
 * Loopback: libnice (webrtcbin's ICE) never gathers candidates on the loopback
 * interface; it gathers host candidates on the machine's other addresses.
 * The client trickles them by PATCH, which our WHIP sessions answer with 405
 * as RFC 9725 lets a server without trickle ICE do, so the SFU learns the
 * client's address as a peer-reflexive candidate from its first connectivity
 * check, sent to the host candidates of the SFU's answer. Both ends are
 * addresses of this machine, so Linux delivers every packet over `lo`:
 * nothing leaves the host, though a machine with no address but 127.0.0.1
 * would give libnice nothing to gather.
 */
describe('simple-whip-client (GStreamer) publishes into a stage', { timeout: 120_000 }, () => {
  let server: Awaited<ReturnType<typeof startServerProcess>>;
  let browser: Browser;

  before(async () => {
    server = await startServerProcess(SOURCE_SERVER);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a browser Stage participant decodes the video it publishes', async () => {
    const publisher = await devParticipant(server.url, 'gstreamer-interop', 'whip-client');
    const viewer = await StageViewer.join(browser, server.url, (await devParticipant(server.url, 'gstreamer-interop', 'viewer')).token);
    const client = startWhipClient(publisher.whipUrl, publisher.token);
    try {
      const read = () => viewer.framesDecoded(publisher.participantId);
      const first = await waitForValue('the first decoded frame from whip-client', read, (frames) => frames > 0);
      const later = await waitForValue('more decoded frames from whip-client', read, (frames) => frames > first + 30);
      assert.ok(later > first);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nwhip-client output:\n${client.output()}`);
    } finally {
      await client.stop();
      await viewer.leave();
    }
  });
});
