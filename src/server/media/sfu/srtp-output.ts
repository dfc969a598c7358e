import type { Socket } from 'node:dgram';
import { loadNativeSrtp, nativeSrtpOutput } from './native-srtp.js';
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

export interface SrtpOutputChoice {
  factory: SrtpOutputFactory;
  /** For the server's start-up log: which send path forwards media, and why. */
  description: string;
}

/**
 * The native output when its addon was built (`npm run build` compiles it
 * where a C compiler exists) and not switched off with STAGE_SFU_NATIVE=0;
 * otherwise the JavaScript one.
 */
export function chooseSrtpOutput(env: NodeJS.ProcessEnv = process.env): SrtpOutputChoice {
  if (env.STAGE_SFU_NATIVE === '0') return { factory: javascriptSrtpOutput, description: 'JavaScript (STAGE_SFU_NATIVE=0)' };
  const addon = loadNativeSrtp();
  if (addon instanceof Error) return { factory: javascriptSrtpOutput, description: `JavaScript (native addon unavailable: ${addon.message})` };
  return { factory: nativeSrtpOutput(addon), description: 'native (C addon: OpenSSL SRTP + sendto)' };
}
