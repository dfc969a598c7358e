import { SrtpAuthenticationError } from 'werift';
import type { SrtpSessionKeys } from './srtp-protector.js';

/**
 * Takes over SRTP decryption of a publisher's DTLS transport (werift's);
 * false when the transport has no SRTP session yet, which leaves werift's.
 */
export type SrtpInput = (transport: object) => boolean;

/** An SSRC's rollover state in werift 0.25.2's SRTP context: the ROC and sequence number of the last packet it decrypted. */
interface WeriftSsrcState {
  ssrc: number;
  rolloverCounter: number;
  lastSequenceNumber: number;
}

/**
 * The parts of werift 0.25.2's SRTP session (of a DTLS transport) an input
 * wraps or replaces: werift calls `decrypt` per packet and drops what throws
 * its SrtpAuthenticationError.
 */
export interface SrtpSessionInternals {
  decrypt(datagram: Buffer): Buffer;
  remoteContext: SrtpSessionKeys & { srtpSSRCStates: Record<string, WeriftSsrcState> };
}

/** A werift DTLS transport's SRTP session; undefined before DTLS has made its keys. */
export const weriftSrtpSession = (transport: object) => (transport as { srtp?: SrtpSessionInternals }).srtp;

/** Indexes behind the highest one still taken, once each: the native receiver's SRTP_REPLAY_WINDOW (browsers' libsrtp window). */
const REPLAY_WINDOW = 1024;

/**
 * RFC 3711 §3.3.2's replay list of one SSRC over extended indexes (ROC · 2¹⁶
 * + SEQ): the highest so far, and a ring of the window's slots, an index's at
 * index mod window, as in native/srtp.c.
 */
class ReplayWindow {
  private readonly seen = new Uint8Array(REPLAY_WINDOW);

  /** Starts at `highest`: empty, or with all up to it received (continuing another decryptor). */
  constructor(
    private highest: number,
    receivedUpToHighest: boolean,
  ) {
    if (receivedUpToHighest) this.seen.fill(1);
  }

  /** Records an authenticated index; false, recording nothing, when it was received already or is behind the window. */
  take(index: number): boolean {
    if (index <= this.highest && (this.highest - index >= REPLAY_WINDOW || this.seen[index % REPLAY_WINDOW])) return false;
    // The slots the window moves on to are cleared of the indexes it leaves behind.
    for (let i = this.highest + 1; i < index && i <= this.highest + REPLAY_WINDOW; i++) this.seen[i % REPLAY_WINDOW] = 0;
    this.highest = Math.max(this.highest, index);
    this.seen[index % REPLAY_WINDOW] = 1;
    return true;
  }
}

/**
 * werift's own decryption, with the replay check it lacks: once werift has
 * authenticated a packet, its index (from the rollover state werift decrypted
 * it with) must be new to the SSRC's window. A replay throws werift's
 * SrtpAuthenticationError and leaves werift's rollover state as it was, since
 * werift estimates the next packet's ROC from the last sequence number.
 */
export const javascriptSrtpInput: SrtpInput = (transport) => {
  const srtp = weriftSrtpSession(transport);
  if (!srtp) return false;
  const { decrypt } = srtp;
  const states = srtp.remoteContext.srtpSSRCStates;
  const windows = new Map<number, ReplayWindow>();
  const indexOf = (state: WeriftSsrcState) => state.rolloverCounter * 0x10000 + state.lastSequenceNumber;
  for (const state of Object.values(states)) windows.set(state.ssrc, new ReplayWindow(indexOf(state), true));
  srtp.decrypt = (datagram) => {
    // werift refuses a datagram too short for an RTP header before it reads the state.
    const ssrc = datagram.length >= 12 ? datagram.readUInt32BE(8) : -1;
    const before = states[ssrc] && { ...states[ssrc] };
    const packet = decrypt(datagram);
    const state = states[ssrc];
    let window = windows.get(ssrc);
    if (!window) windows.set(ssrc, (window = new ReplayWindow(indexOf(state), false)));
    if (window.take(indexOf(state))) return packet;
    // A window exists only for an SSRC werift already had state for.
    Object.assign(state, before);
    throw new SrtpAuthenticationError('SRTP packet is a replay');
  };
  return true;
};
