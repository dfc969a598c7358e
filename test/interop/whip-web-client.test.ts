import { describe, it } from 'node:test';
import { waitForValue } from '../helpers/node/wait-for.js';
import { devParticipant } from './helpers/dev-participant.js';
import { useInteropRig } from './helpers/interop-rig.js';
import { StagePage } from './helpers/stage-page.js';

/**
 * Runs in the page: publishes Chromium's fake camera and microphone with
 * Eyevinn's WHIPClient, configured as its README shows, with the token as its
 * bearer `authkey`. `iceServers: []` because its default is a public STUN
 * server; host candidates are all loopback needs. A string, so the test's
 * TypeScript transform adds no helpers the page does not have.
 */
const ingestInPage = (endpoint: string, token: string) => `(async () => {
  const { WHIPClient } = await import('/client.js');
  const client = new WHIPClient({ endpoint: ${JSON.stringify(endpoint)}, opts: { authkey: ${JSON.stringify(token)}, iceServers: [] } });
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
  await client.ingest(stream);
  window.whipClient = client;
})()`;

/**
 * Eyevinn's @eyevinn/whip-web-client publishes from a page on another origin
 * into a stage with the token's whip_url, and a browser Stage participant
 * decodes the video. The client asks the endpoint with OPTIONS whether PATCH
 * (trickle ICE) is allowed; ours does not allow it, so the client sends one
 * offer with all its candidates.
 */
describe('@eyevinn/whip-web-client publishes into a stage', { timeout: 120_000 }, () => {
  const rig = useInteropRig({ package: '@eyevinn/whip-web-client', exports: ['WHIPClient'] });

  it('a browser Stage participant decodes the video it publishes and receives its audio', async () => {
    const { server, browser } = rig;
    const publisher = await devParticipant(server.url, 'eyevinn-whip', 'whip-web-client');
    const viewer = await StagePage.join(browser, server.url, (await devParticipant(server.url, 'eyevinn-whip', 'viewer')).token);
    const page = await rig.openClientPage('whip-web-client page');
    await page.evaluate(ingestInPage(publisher.whipUrl, publisher.token));

    const read = () => viewer.framesDecoded(publisher.participantId);
    const first = await waitForValue('the first decoded frame from whip-web-client', read, (frames) => frames > 0);
    await waitForValue('more decoded frames from whip-web-client', read, (frames) => frames > first + 30);
    await waitForValue('audio packets from whip-web-client', () => viewer.audioPackets(publisher.participantId), (packets) => packets > 50);

    // destroy() sends DELETE for the WHIP session: the publisher's video goes away.
    await page.evaluate('window.whipClient.destroy()');
    await waitForValue('the video to be removed after DELETE', read, (frames) => frames === -1);
    await viewer.leave();
  });
});
