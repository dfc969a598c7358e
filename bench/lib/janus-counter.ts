/**
 * Cheap subscribers of a Janus VideoRoom publisher for the capacity
 * benchmark, in a child process (subscriber-load.ts): each one is a handle on
 * one shared Janus session that joins as a subscriber to the publisher's feed,
 * takes Janus' offer and starts with an answer carrying all its candidates.
 *
 * `add` params: {apiUrl, room, feed, hostAddress} (hostAddress: the host's
 * end of the veth pair to Janus' namespace, the only address Janus can reach).
 */
import { RTCPeerConnection } from 'werift';
import { JanusSession } from './janus-videoroom.js';
import { PEER_CONFIG, serveSubscribers, waitForIceGathering } from './subscriber-load.js';

interface JanusParams {
  apiUrl: string;
  room: number;
  feed: number;
  hostAddress: string;
}

let session: Promise<JanusSession> | undefined;

serveSubscribers<JanusParams>('janus-counter', async (_index, { apiUrl, room, feed, hostAddress }) => {
  session ??= JanusSession.create(apiUrl);
  const handle = await (await session).attachVideoRoom();
  const { jsep: offer } = await handle.request({ request: 'join', ptype: 'subscriber', room, streams: [{ feed }] });
  if (offer?.type !== 'offer') throw new Error('janus sent no offer to a subscriber');
  const pc = new RTCPeerConnection({ ...PEER_CONFIG, iceInterfaceAddresses: { udp4: hostAddress } });
  await pc.setRemoteDescription(offer);
  await pc.setLocalDescription(await pc.createAnswer());
  await waitForIceGathering(pc);
  await handle.request({ request: 'start' }, { type: 'answer', sdp: pc.localDescription!.sdp, trickle: false });
  return pc;
});
