import type { RTCPeerConnection } from 'werift';

/** The offer cannot be answered; the message is safe to show the client. */
export class OfferError extends Error {
  override name = 'OfferError';
}

type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/**
 * Checks the shape of an offer before werift sees it: at most one audio and
 * one video section, each sending (WHIP) or receiving (WHEP).
 */
export function checkOffer(sdp: string, role: 'publish' | 'subscribe'): void {
  if (!sdp.startsWith('v=0')) throw new OfferError('body is not an SDP offer (it must start with "v=0")');
  const sections = sdp.split(/\r?\n(?=m=)/).slice(1);
  const counts = { audio: 0, video: 0 };
  for (const section of sections) {
    const kind = /^m=(\w+) (\d+)/.exec(section);
    if (!kind || (kind[1] !== 'audio' && kind[1] !== 'video') || kind[2] === '0') continue;
    counts[kind[1]]++;
    const direction = (/^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m.exec(section)?.[1] ?? 'sendrecv') as Direction;
    if (role === 'publish' && (direction === 'recvonly' || direction === 'inactive')) {
      throw new OfferError(`a WHIP offer must send media; its ${kind[1]} section is ${direction}`);
    }
    if (role === 'subscribe' && (direction === 'sendonly' || direction === 'inactive')) {
      throw new OfferError(`a WHEP offer must receive media; its ${kind[1]} section is ${direction}`);
    }
  }
  if (counts.audio + counts.video === 0) throw new OfferError('the offer has no audio or video section');
  if (counts.audio > 1 || counts.video > 1) throw new OfferError('the offer may have at most one audio and one video section');
}

/**
 * Removes transport-cc feedback from an offer before werift answers it: werift
 * echoes the offerer's rtcp-fb lines, and its transport-cc feedback starves
 * Chromium's estimate (100–300 kbit/s). Without it Chromium follows the SFU's
 * REMB. Bitrates are not touched.
 */
export function withoutTransportCc(sdp: string): string {
  return sdp.replace(/^a=rtcp-fb:\S+ transport-cc[^\S\r\n]*(\r?\n|$)/gm, '');
}

/** Answers an offer and waits for ICE gathering, so the answer carries every candidate (no trickle). */
export async function answerOffer(pc: RTCPeerConnection, offerSdp: string, gatherTimeoutMs = 5000): Promise<string> {
  try {
    await pc.setRemoteDescription({ type: 'offer', sdp: withoutTransportCc(offerSdp) });
    await pc.setLocalDescription(await pc.createAnswer());
  } catch (err) {
    throw new OfferError(`the offer cannot be answered: ${(err as Error).message}`);
  }
  // werift rejects every section without a codec in common and then gathers nothing: waiting would only time out.
  if (pc.getTransceivers().every((t) => t.codecs.length === 0)) throw new OfferError('the offer has no codec in common with the server');
  await gatheringComplete(pc, gatherTimeoutMs);
  const answer = pc.localDescription?.sdp;
  if (!answer) throw new Error('no local description after answering');
  return answer;
}

function gatheringComplete(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unSubscribe();
      reject(new Error(`ICE gathering did not complete within ${timeoutMs} ms`));
    }, timeoutMs);
    const { unSubscribe } = pc.iceGatheringStateChange.subscribe((state) => {
      if (state !== 'complete') return;
      clearTimeout(timer);
      unSubscribe();
      resolve();
    });
  });
}
