import type { Socket } from 'node:dgram';
import { ProtectionProfileAeadAes128Gcm, type RtpPacket } from 'werift';
import { NativeForwardBatch } from './native-forward-batch.js';
import type { NativeSrtp } from './native-srtp-addon.js';
import type { OutgoingStream } from './rtp-header-writer.js';
import type { SrtpOutput, SrtpOutputFactory } from './srtp-output.js';
import type { SrtpSessionKeys } from './srtp-protector.js';

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
const NO_MID = Buffer.alloc(0);

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

let stateKey: symbol | undefined;

/** dgram's internal state of a socket; its handle is null once the socket is closed. */
function socketState(socket: Socket): { handle?: { fd?: number } | null } | undefined {
  stateKey ??= Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  return stateKey && (socket as unknown as Record<symbol, { handle?: { fd?: number } | null }>)[stateKey];
}
