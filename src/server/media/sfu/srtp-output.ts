import type { Socket } from 'node:dgram';
import type { RtpPacket } from 'werift';
import { type OutgoingStream, writeForwardedHeader } from './rtp-header-writer.js';
import { type SrtpSessionKeys, SrtpProtector } from './srtp-protector.js';

/** The protected send of one subscriber stream: its forwarded packets and its RTCP. */
export interface SrtpOutput {
  /** Where packets go: from `socket` (the ICE pair's) to host:port. False when the socket is closed. */
  setDestination(socket: Socket, host: string, port: number): boolean;
  /**
   * Sends the publisher's packet under the subscriber's header (see
   * writeForwardedHeader), SRTP-protected, as one datagram.
   */
  sendForwarded(packet: RtpPacket, sequenceNumber: number): void;
  /** RTP bytes (headers and payloads) of the packets sendForwarded sent. */
  readonly sentBytes: number;
  /** SRTCP-protects a compound RTCP packet about the stream and sends it to the destination. */
  sendRtcp(packet: Buffer): void;
  /** The protected datagram, for an ICE pair without a UDP socket of its own. */
  protect(header: Buffer, payload: Buffer): Buffer;
  protectRtcp(packet: Buffer): Buffer;
}

/**
 * Makes the output of one subscriber stream from the session keys werift
 * derived for it, the stream's header fields and its extension id table
 * (see extensionIdTable).
 */
export type SrtpOutputFactory = (keys: SrtpSessionKeys, stream: OutgoingStream, idTable: Uint8Array) => SrtpOutput;

/** Node's crypto and dgram: runs everywhere, at about twice the CPU per packet of the native output. */
export const javascriptSrtpOutput: SrtpOutputFactory = (keys, stream, idTable) => new JavascriptStreamOutput(keys, stream, idTable);

/** A class, so that every stream's output has one shape (see NativeStreamOutput). */
class JavascriptStreamOutput implements SrtpOutput {
  private readonly protector: SrtpProtector;
  private destination?: { socket: Socket; host: string; port: number };
  private forwardedBytes = 0;

  constructor(
    keys: SrtpSessionKeys,
    private readonly stream: OutgoingStream,
    private readonly idTable: Uint8Array,
  ) {
    this.protector = new SrtpProtector(keys);
  }

  setDestination(socket: Socket, host: string, port: number): boolean {
    this.destination = { socket, host, port };
    return true;
  }

  sendForwarded(packet: RtpPacket, sequenceNumber: number): void {
    const destination = this.destination;
    if (!destination) return;
    const header = writeForwardedHeader(packet.header, sequenceNumber, this.stream, this.idTable);
    destination.socket.send(this.protector.protect(header, packet.payload), destination.port, destination.host);
    this.forwardedBytes += header.length + packet.payload.length;
  }

  get sentBytes(): number {
    return this.forwardedBytes;
  }

  sendRtcp(packet: Buffer): void {
    const destination = this.destination;
    if (destination) destination.socket.send(this.protector.protectRtcp(packet), destination.port, destination.host);
  }

  protect(header: Buffer, payload: Buffer): Buffer {
    return Buffer.concat(this.protector.protect(header, payload));
  }

  protectRtcp(packet: Buffer): Buffer {
    return this.protector.protectRtcp(packet);
  }
}
