import type { Socket } from 'node:dgram';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ProtectionProfileAeadAes128Gcm, type RtpPacket, SrtpAuthenticationError } from 'werift';
import type { SrtpInput } from './media-path.js';
import { NativeForwardBatch } from './native-forward-batch.js';
import { packageRoot } from '../../package-root.js';
import type { OutgoingStream } from './rtp-header-writer.js';
import type { SrtpOutput, SrtpOutputFactory } from './srtp-output.js';
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
  return (keys, stream, idTable) => new NativeStreamOutput(addon, batch, keys, stream, idTable);
}

/** One stream's output; a class, so that every stream's has one shape and the forwarding path's calls stay monomorphic. */
class NativeStreamOutput implements SrtpOutput {
  private readonly sender: object;
  private readonly handle: number;
  private ready = false;
  private destination = { fd: -1, host: '', port: 0 };

  constructor(
    private readonly addon: NativeSrtp,
    private readonly batch: NativeForwardBatch,
    keys: SrtpSessionKeys,
    stream: OutgoingStream,
    idTable: Uint8Array,
  ) {
    this.sender = addon.createSender(
      keys.profile === ProtectionProfileAeadAes128Gcm,
      keys.srtpSessionKey,
      keys.srtpSessionSalt,
      keys.srtpSessionAuthTag,
      keys.srtcpSessionKey,
      keys.srtcpSessionSalt,
      keys.srtcpSessionAuthTag,
    );
    addon.setStream(this.sender, stream.ssrc, stream.payloadType, stream.mid?.id ?? 0, stream.mid?.value ?? NO_MID, idTable);
    this.handle = addon.senderHandle(this.sender);
  }

  setDestination(socket: Socket, host: string, port: number): boolean {
    const fd = socketState(socket)?.handle?.fd ?? -1;
    this.ready = fd >= 0;
    const last = this.destination;
    // The route is read again every few hundred ms and is nearly always the same.
    if (!this.ready || (fd === last.fd && host === last.host && port === last.port)) return this.ready;
    // What was forwarded so far goes to the previous destination.
    this.batch.handOver();
    this.addon.setDestination(this.sender, fd, host, port);
    this.destination = { fd, host, port };
    return true;
  }

  sendForwarded(packet: RtpPacket, sequenceNumber: number): void {
    if (this.ready) this.batch.add(this.handle, packet, sequenceNumber);
  }

  get sentBytes(): number {
    this.batch.handOver();
    return this.addon.forwardedBytes(this.sender);
  }

  sendRtcp(packet: Buffer): void {
    if (!this.ready) return;
    this.batch.handOver();
    this.addon.queueRtcp(this.sender, packet);
    this.batch.scheduleFlush();
  }

  protect(header: Buffer, payload: Buffer): Buffer {
    return this.addon.protect(this.sender, header, payload);
  }

  protectRtcp(packet: Buffer): Buffer {
    return this.addon.protectRtcp(this.sender, packet);
  }
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
