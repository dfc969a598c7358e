/**
 * Cheap WHEP subscribers of our server for the capacity benchmark, in a child
 * process (subscriber-load.ts): each one gets a viewer token, offers
 * receive-only audio and video and takes the server's answer.
 *
 * `add` params: {origin, stage, publisherId}.
 */
import { RTCPeerConnection } from 'werift';
import { PEER_CONFIG, serveSubscribers, waitForIceGathering } from './subscriber-load.js';

interface WhepParams {
  origin: string;
  stage: string;
  publisherId: string;
}

serveSubscribers<WhepParams>('whep-counter', async (index, { origin, stage, publisherId }) => {
  const { token } = await (await fetch(`${origin}/dev/token?stage=${stage}&userId=load-${index}&publish=0`)).json();
  const pc = new RTCPeerConnection({ ...PEER_CONFIG, iceAdditionalHostAddresses: ['127.0.0.1'] });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.addTransceiver('video', { direction: 'recvonly' });
  await pc.setLocalDescription(await pc.createOffer());
  await waitForIceGathering(pc);
  const response = await fetch(`${origin}/whep/${publisherId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/sdp' },
    body: pc.localDescription!.sdp,
  });
  if (response.status !== 201) throw new Error(`WHEP answered ${response.status}: ${await response.text()}`);
  await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
  return pc;
});
