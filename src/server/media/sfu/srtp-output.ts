import type { Socket } from 'node:dgram';
import { type SrtpSessionKeys, SrtpProtector } from './srtp-protector.js';

/** The protected send of one subscriber stream's forwarded packets. */
export interface SrtpOutput {
  /** Where send() sends: from `socket` (the ICE pair's) to host:port. False when the socket is closed. */
  setDestination(socket: Socket, host: string, port: number): boolean;
  /** SRTP-protects header + payload and sends them as one datagram to the destination. */
  send(header: Buffer, payload: Buffer): void;
  /** SRTCP-protects a compound RTCP packet about the stream and sends it to the destination. */
  sendRtcp(packet: Buffer): void;
  /** The protected datagram, for an ICE pair without a UDP socket of its own. */
  protect(header: Buffer, payload: Buffer): Buffer;
  protectRtcp(packet: Buffer): Buffer;
}

/** Makes the output of one stream from the session keys werift derived for it. */
export type SrtpOutputFactory = (keys: SrtpSessionKeys) => SrtpOutput;

/** Node's crypto and dgram: runs everywhere, at about twice the CPU per packet of the native output. */
export const javascriptSrtpOutput: SrtpOutputFactory = (keys) => {
  const protector = new SrtpProtector(keys);
  let destination: { socket: Socket; host: string; port: number } | undefined;
  return {
    setDestination(socket, host, port) {
      destination = { socket, host, port };
      return true;
    },
    send(header, payload) {
      if (destination) destination.socket.send(protector.protect(header, payload), destination.port, destination.host);
    },
    sendRtcp(packet) {
      if (destination) destination.socket.send(protector.protectRtcp(packet), destination.port, destination.host);
    },
    protect: (header, payload) => Buffer.concat(protector.protect(header, payload)),
    protectRtcp: (packet) => protector.protectRtcp(packet),
  };
};
