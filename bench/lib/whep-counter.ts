/**
 * A child process of cheap WHEP subscribers for the capacity benchmark: real
 * ICE + DTLS-SRTP peers (werift) that count the RTP packets they receive from
 * the clear part of the SRTP header, without decrypting or decoding, so one
 * core can stand in for hundreds of viewers. Loss is counted from sequence
 * gaps (the SFU forwards with contiguous sequence numbers).
 *
 * Messages from the parent: {type:'add', count, origin, stage, publisherId}
 * → {type:'added', connected, failed}; {type:'sample'} → {type:'sample', received,
 * expected, subscribers, live}; {type:'close'} → closes every peer and exits.
 */
import { RTCPeerConnection, SrtpAuthenticationError, isMedia, isRtcp } from 'werift';
import { SequenceExtender } from '../../src/server/media/sfu/sequence.js';

/** Thrown by the replaced SRTP decrypt: werift drops such packets quietly. One instance, so dropping allocates nothing. */
const NOT_DECRYPTED = new SrtpAuthenticationError('counted, not decrypted');

const PEER_CONFIG = { iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false, bundlePolicy: 'max-bundle' as const };
/**
 * Subscribers are set up one at a time with a pause between them: a burst of
 * DTLS handshakes stalls the server's event loop for hundreds of ms, its
 * REMB estimate reads that as queueing and Chromium then stays far below
 * 1.5 Mbit/s for longer than the bench can wait. Capacity is about steady state.
 */
const PARALLEL_SETUPS = 1;
const SETUP_PAUSE_MS = 150;

/** Recent packets remembered to tell a duplicate (a publisher retransmission forwarded again) from a new one. */
const DUPLICATE_WINDOW = 1024;

/** Distinct received and expected packets of one SSRC, from its extended sequence numbers. */
class SequenceCounter {
  received = 0;
  private first = -1;
  private readonly sequence = new SequenceExtender();
  private readonly recent = new Float64Array(DUPLICATE_WINDOW).fill(-1);

  onSequence(sequenceNumber: number): void {
    const index = this.sequence.extend(sequenceNumber);
    if (this.first < 0) this.first = index;
    const slot = index % DUPLICATE_WINDOW;
    if (this.recent[slot] === index) return;
    this.recent[slot] = index;
    this.received++;
  }

  get expected(): number {
    return this.first < 0 ? 0 : this.sequence.highest - this.first + 1;
  }
}

const subscribers: { pc: RTCPeerConnection; counters: Map<number, SequenceCounter> }[] = [];
let nextIndex = 0;

async function addSubscriber(origin: string, stage: string, publisherId: string): Promise<void> {
  const index = nextIndex++;
  const { token } = await (await fetch(`${origin}/dev/token?stage=${stage}&userId=load-${index}&publish=0`)).json();
  const pc = new RTCPeerConnection(PEER_CONFIG);
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.addTransceiver('video', { direction: 'recvonly' });
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.iceGatheringStateChange.subscribe((state) => state === 'complete' && resolve());
  });
  const response = await fetch(`${origin}/whep/${publisherId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/sdp' },
    body: pc.localDescription!.sdp,
  });
  if (response.status !== 201) throw new Error(`WHEP answered ${response.status}: ${await response.text()}`);
  await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
  const counters = new Map<number, SequenceCounter>();
  const dtls = pc.dtlsTransports[0];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('subscriber did not connect in 30 s')), 30_000);
    pc.connectionStateChange.subscribe((state) => {
      if (state !== 'connected') return;
      clearTimeout(timer);
      resolve();
    });
  });
  // Count from the clear RTP header and let werift's own decryption fail fast: no decrypt, no decode.
  dtls.srtp.decrypt = () => {
    throw NOT_DECRYPTED;
  };
  dtls.iceTransport.connection.onData.subscribe((data: Buffer) => {
    if (!isMedia(data) || isRtcp(data)) return;
    const ssrc = data.readUInt32BE(8);
    let counter = counters.get(ssrc);
    if (!counter) counters.set(ssrc, (counter = new SequenceCounter()));
    counter.onSequence(data.readUInt16BE(2));
  });
  subscribers.push({ pc, counters });
}

/** Adds `count` subscribers; one that fails to connect is counted, not fatal (the parent reports it). */
async function add(count: number, origin: string, stage: string, publisherId: string): Promise<{ connected: number; failed: number }> {
  let left = count;
  let failed = 0;
  const worker = async () => {
    while (left > 0) {
      left--;
      await addSubscriber(origin, stage, publisherId).catch((err) => {
        failed++;
        console.error(`[whep-counter] ${(err as Error).message}`);
      });
      await new Promise((r) => setTimeout(r, SETUP_PAUSE_MS));
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_SETUPS }, worker));
  return { connected: subscribers.length, failed };
}

function sample() {
  let received = 0;
  let expected = 0;
  for (const { counters } of subscribers) {
    for (const c of counters.values()) {
      received += c.received;
      expected += c.expected;
    }
  }
  const live = subscribers.filter(({ pc }) => pc.connectionState === 'connected').length;
  return { type: 'sample', received, expected, subscribers: subscribers.length, live };
}

process.on('message', async (message: { type: string; count?: number; origin?: string; stage?: string; publisherId?: string }) => {
  try {
    if (message.type === 'add') {
      process.send!({ type: 'added', ...(await add(message.count!, message.origin!, message.stage!, message.publisherId!)) });
    } else if (message.type === 'sample') {
      process.send!(sample());
    } else if (message.type === 'close') {
      await Promise.all(subscribers.map(({ pc }) => pc.close().catch(() => {})));
      process.exit(0);
    }
  } catch (err) {
    process.send!({ type: 'error', message: (err as Error).message });
  }
});
