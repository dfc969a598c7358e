import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../../package-root.js';

/** Where `npm run build` puts the compiled native/*.c. */
export const NATIVE_SRTP_PATH = join(packageRoot(), 'dist', 'server', 'srtp-sender.node');

/**
 * The addon's functions (see native/srtp-sender.c and srtp-receiver.c): a
 * sender holds one outgoing stream's cipher state, rollover counter and send
 * queue; a receiver one peer's incoming cipher state, rollover counters and
 * replay windows.
 */
export interface NativeSrtp {
  createSender(gcm: boolean, key: Buffer, salt: Buffer, authKey: Buffer, rtcpKey: Buffer, rtcpSalt: Buffer, rtcpAuthKey: Buffer): object;
  /** Where the stream's packets go; what is queued for another destination is sent first. */
  setDestination(sender: object, fd: number, host: string, port: number): void;
  /** What the stream's headers carry (midId 0: no mid; ids: extensionIdTable's). */
  setStream(sender: object, ssrc: number, payloadType: number, midId: number, mid: Buffer, ids: Uint8Array): void;
  /** The number forward() knows the sender by. */
  senderHandle(sender: object): number;
  /**
   * Queues a publisher packet (extensions: see extensionRecords) under each
   * listed stream's header: `pairs` holds `count` numbers, (sender handle,
   * sequence number) pairs. Protected and sent on flush, or at once when a
   * stream's queue is full. Freed senders and those without a destination
   * are skipped.
   */
  forward(marker: boolean, timestamp: number, extensions: Buffer, payload: Buffer, pairs: Uint32Array, count: number): void;
  /** RTP bytes forward() queued for the stream. */
  forwardedBytes(sender: object): number;
  /** The longest payload forward() takes (bytes). */
  readonly maxPayload: number;
  /** Queues a compound RTCP packet, SRTCP-protected on flush. */
  queueRtcp(sender: object, packet: Buffer): void;
  /** Pads, protects and sends every stream's queue. */
  flush(): void;
  protect(sender: object, header: Buffer, payload: Buffer): Buffer;
  protectRtcp(sender: object, packet: Buffer): Buffer;
  createReceiver(gcm: boolean, key: Buffer, salt: Buffer, authKey: Buffer): object;
  /**
   * Continues an SSRC's rollover state from another decryptor's, whose
   * packets up to it count as received; false when the receiver has no room
   * for another SSRC.
   */
  seedReceiver(receiver: object, ssrc: number, roc: number, sequenceNumber: number): boolean;
  /**
   * The RTP packet, or null when the datagram is malformed, fails
   * authentication, or is a replay: its index (ROC and sequence number) was
   * received already or is behind the SSRC's window of 1024 (RFC 3711 §3.3.2).
   */
  unprotect(receiver: object, datagram: Buffer): Buffer | null;
}

let loaded: NativeSrtp | Error | undefined;

/** Loads the addon once; an Error says why it is not there. */
export function loadNativeSrtp(): NativeSrtp | Error {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)(NATIVE_SRTP_PATH) as NativeSrtp;
  } catch (err) {
    loaded = new Error(`${NATIVE_SRTP_PATH}: ${(err as Error).message.split('\n')[0]}`);
  }
  return loaded;
}
