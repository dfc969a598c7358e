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
export const javascriptSrtpOutput: SrtpOutputFactory = (keys, stream, idTable) => {
  const protector = new SrtpProtector(keys);
  let destination: { socket: Socket; host: string; port: number } | undefined;
  let sentBytes = 0;
  return {
    setDestination(socket, host, port) {
      destination = { socket, host, port };
      return true;
    },
    sendForwarded(packet, sequenceNumber) {
      const header = writeForwardedHeader(packet.header, sequenceNumber, stream, idTable);
      if (!destination) return;
      destination.socket.send(protector.protect(header, packet.payload), destination.port, destination.host);
      sentBytes += header.length + packet.payload.length;
    },
    get sentBytes() {
      return sentBytes;
    },
    sendRtcp(packet) {
      if (destination) destination.socket.send(protector.protectRtcp(packet), destination.port, destination.host);
    },
    protect: (header, payload) => Buffer.concat(protector.protect(header, payload)),
    protectRtcp: (packet) => protector.protectRtcp(packet),
  };
};
