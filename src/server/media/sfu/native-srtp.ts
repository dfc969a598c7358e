import type { Socket } from 'node:dgram';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ProtectionProfileAeadAes128Gcm, SrtpAuthenticationError } from 'werift';
import type { SrtpInput } from './media-path.js';
import { NativeForwardBatch } from './native-forward-batch.js';
import { packageRoot } from '../../package-root.js';
import type { SrtpOutputFactory } from './srtp-output.js';
import type { SrtpSessionKeys } from './srtp-protector.js';

/** Where `npm run build` puts the compiled native/*.c. */
export const NATIVE_SRTP_PATH = join(packageRoot(), 'dist', 'server', 'srtp-sender.node');

/**
 * The addon's functions (see native/srtp-sender.c and srtp-receiver.c): a
 * sender holds one outgoing stream's cipher state, rollover counter and send
 * queue; a receiver one peer's incoming cipher state and rollover counters.
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
  /** Continues an SSRC's rollover state from another decryptor's; false when the receiver has no room for another SSRC. */
  seedReceiver(receiver: object, ssrc: number, roc: number, sequenceNumber: number): boolean;
  /** The RTP packet, or null when the datagram is malformed or fails authentication. */
  unprotect(receiver: object, datagram: Buffer): Buffer | null;
}

let loaded: NativeSrtp | Error | undefined;
const NO_MID = Buffer.alloc(0);

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

/**
 * Sends from the file descriptor of the same dgram socket werift's ICE pair
 * uses, so the subscriber sees the usual source address. dgram keeps its
 * handle in a symbol-keyed state object (`socket._handle` reads it too, but
 * warns as deprecated); a closed socket has no handle. The caller sets the
 * destination again often enough to notice (see DirectRtpSender's route).
 *
 * Packets queue per stream and go out together once the current task ends:
 * the publisher's packets are forwarded in batches of what arrived together
 * (often a video frame's packets), and each subscriber gets a batch in one
 * system call. The addon writes each subscriber's header itself, and gets
 * each publisher packet once, with every stream that forwards it.
 */
export function nativeSrtpOutput(addon: NativeSrtp): SrtpOutputFactory {
  const batch = new NativeForwardBatch(addon);
  return (keys, stream, idTable) => {
    const sender = addon.createSender(
      keys.profile === ProtectionProfileAeadAes128Gcm,
      keys.srtpSessionKey,
      keys.srtpSessionSalt,
      keys.srtpSessionAuthTag,
      keys.srtcpSessionKey,
      keys.srtcpSessionSalt,
      keys.srtcpSessionAuthTag,
    );
    addon.setStream(sender, stream.ssrc, stream.payloadType, stream.mid?.id ?? 0, stream.mid?.value ?? NO_MID, idTable);
    const handle = addon.senderHandle(sender);
    let ready = false;
    let destination = { fd: -1, host: '', port: 0 };
    return {
      setDestination(socket, host, port) {
        const fd = socketState(socket)?.handle?.fd ?? -1;
        ready = fd >= 0;
        // The route is read again every few hundred ms and is nearly always the same.
        if (!ready || (fd === destination.fd && host === destination.host && port === destination.port)) return ready;
        // What was forwarded so far goes to the previous destination.
        batch.handOver();
        addon.setDestination(sender, fd, host, port);
        destination = { fd, host, port };
        return ready;
      },
      sendForwarded(packet, sequenceNumber) {
        if (ready) batch.add(handle, packet, sequenceNumber);
      },
      get sentBytes() {
        batch.handOver();
        return addon.forwardedBytes(sender);
      },
      sendRtcp(packet) {
        if (!ready) return;
        batch.handOver();
        addon.queueRtcp(sender, packet);
        batch.scheduleFlush();
      },
      protect: (header, payload) => addon.protect(sender, header, payload),
      protectRtcp: (packet) => addon.protectRtcp(sender, packet),
    };
  };
}

/** The parts of werift 0.25.2's SRTP session (of a DTLS transport) the receive path replaces. */
interface SrtpSessionInternals {
  decrypt(datagram: Buffer): Buffer;
  remoteContext: SrtpSessionKeys & { srtpSSRCStates: Record<string, { ssrc: number; rolloverCounter: number; lastSequenceNumber: number }> };
}

/**
 * Decrypts a werift transport's incoming SRTP with the addon. werift calls
 * its session's `decrypt` per packet and drops what throws its
 * SrtpAuthenticationError; the rollover state of SSRCs werift already
 * decrypted carries over, so a sequence wrap before the switch is no gap.
 */
export function nativeSrtpInput(addon: NativeSrtp): SrtpInput {
  return (transport) => {
    const srtp = (transport as { srtp?: SrtpSessionInternals }).srtp;
    if (!srtp) return false;
    const keys = srtp.remoteContext;
    const receiver = addon.createReceiver(keys.profile === ProtectionProfileAeadAes128Gcm, keys.srtpSessionKey, keys.srtpSessionSalt, keys.srtpSessionAuthTag);
    for (const state of Object.values(keys.srtpSSRCStates)) addon.seedReceiver(receiver, state.ssrc, state.rolloverCounter, state.lastSequenceNumber);
    srtp.decrypt = (datagram) => {
      const packet = addon.unprotect(receiver, datagram);
      if (!packet) throw new SrtpAuthenticationError('Failed to authenticate SRTP packet');
      return packet;
    };
    return true;
  };
}

let stateKey: symbol | undefined;

/** dgram's internal state of a socket; its handle is null once the socket is closed. */
function socketState(socket: Socket): { handle?: { fd?: number } | null } | undefined {
  stateKey ??= Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  return stateKey && (socket as unknown as Record<symbol, { handle?: { fd?: number } | null }>)[stateKey];
}
