/**
 * The child-process side of the capacity benchmark's cheap subscribers: real
 * ICE + DTLS-SRTP peers (werift) whose packets are counted by
 * packet-counter.ts. A script (whep-counter.ts, janus-counter.ts) supplies
 * only the signalling that connects one subscriber and calls
 * `serveSubscribers`.
 *
 * Messages from the parent: {type:'add', count, params} → {type:'added',
 * connected, failed}; {type:'sample'} → {type:'sample', received, expected,
 * subscribers, live}; {type:'close'} → closes every peer and exits.
 */
import type { PeerConfig, RTCPeerConnection } from 'werift';
import { type SequenceCounter, countPackets } from './packet-counter.js';

/**
 * Subscribers are set up one at a time with a pause between them: a burst of
 * DTLS handshakes stalls a server's event loop for hundreds of ms, its REMB
 * estimate reads that as queueing and Chromium then stays far below
 * 1.5 Mbit/s for longer than the bench can wait. Capacity is about steady state.
 */
const SETUP_PAUSE_MS = 150;
const CONNECT_TIMEOUT_MS = 30_000;

export const PEER_CONFIG: Partial<PeerConfig> = { iceServers: [], iceUseIpv6: false, bundlePolicy: 'max-bundle' };

/** Signals one new subscriber (index counts from 0) and returns its peer connection once both descriptions are set. */
export type ConnectSubscriber<P> = (index: number, params: P) => Promise<RTCPeerConnection>;

export function waitForIceGathering(pc: RTCPeerConnection): Promise<void> {
  return new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.iceGatheringStateChange.subscribe((state) => state === 'complete' && resolve());
  });
}

function waitForConnected(pc: RTCPeerConnection): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pc.connectionState === 'connected') return resolve();
    const timer = setTimeout(() => reject(new Error(`subscriber did not connect in ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
    pc.connectionStateChange.subscribe((state) => {
      if (state !== 'connected') return;
      clearTimeout(timer);
      resolve();
    });
  });
}

export function serveSubscribers<P>(name: string, connect: ConnectSubscriber<P>): void {
  const subscribers: { pc: RTCPeerConnection; counters: Map<number, SequenceCounter> }[] = [];
  let nextIndex = 0;

  /** Adds `count` subscribers; one that fails to connect is counted, not fatal (the parent reports it). */
  const add = async (count: number, params: P) => {
    let failed = 0;
    for (let i = 0; i < count; i++) {
      try {
        const pc = await connect(nextIndex++, params);
        await waitForConnected(pc);
        subscribers.push({ pc, counters: countPackets(pc) });
      } catch (err) {
        failed++;
        console.error(`[${name}] ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, SETUP_PAUSE_MS));
    }
    return { connected: subscribers.length, failed };
  };

  const sample = () => {
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
  };

  process.on('message', async (message: { type: string; count?: number; params?: P }) => {
    try {
      if (message.type === 'add') {
        process.send!({ type: 'added', ...(await add(message.count!, message.params!)) });
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
}
