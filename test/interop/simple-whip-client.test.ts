import { describe, it } from 'node:test';
import { waitForValue } from '../helpers/node/wait-for.js';
import { devParticipant } from './helpers/dev-participant.js';
import { useInteropRig } from './helpers/interop-rig.js';
import { StagePage } from './helpers/stage-page.js';
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
  const rig = useInteropRig();

  it('a browser Stage participant decodes the video it publishes and receives its audio', async () => {
    const { server, browser } = rig;
    const publisher = await devParticipant(server.url, 'gstreamer-interop', 'whip-client');
    const viewer = await StagePage.join(browser, server.url, (await devParticipant(server.url, 'gstreamer-interop', 'viewer')).token);
    const client = startWhipClient(publisher.whipUrl, publisher.token);
    try {
      const read = () => viewer.framesDecoded(publisher.participantId);
      const first = await waitForValue('the first decoded frame from whip-client', read, (frames) => frames > 0);
      await waitForValue('more decoded frames from whip-client', read, (frames) => frames > first + 30);
      // webrtcbin offers its audio m-section bundle-only with port 0 (see src/server/media/bundle-only.ts).
      await waitForValue('audio packets from whip-client', () => viewer.audioPackets(publisher.participantId), (packets) => packets > 50);
      // On SIGINT the client sends DELETE for its WHIP session: its video goes away.
      await client.stop();
      await waitForValue('the video to be removed after DELETE', read, (frames) => frames === -1);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nwhip-client output:\n${client.output()}`);
    } finally {
      await client.stop();
      await viewer.leave();
    }
  });
});
