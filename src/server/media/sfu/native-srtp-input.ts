import { ProtectionProfileAeadAes128Gcm, SrtpAuthenticationError } from 'werift';
import type { NativeSrtp } from './native-srtp-addon.js';
import { type SrtpInput, weriftSrtpSession } from './srtp-input.js';

/**
 * Decrypts a werift transport's incoming SRTP with the addon. werift calls
 * its session's `decrypt` per packet and drops what throws its
 * SrtpAuthenticationError: forgeries and, as werift's own decryptor has no
 * replay check, replays. The rollover state of SSRCs werift already decrypted
 * carries over, so a sequence wrap before the switch is no gap.
 */
export function nativeSrtpInput(addon: NativeSrtp): SrtpInput {
  return (transport) => {
    const srtp = weriftSrtpSession(transport);
    if (!srtp) return false;
    const keys = srtp.remoteContext;
    const receiver = addon.createReceiver(keys.profile === ProtectionProfileAeadAes128Gcm, keys.srtpSessionKey, keys.srtpSessionSalt, keys.srtpSessionAuthTag);
    for (const state of Object.values(keys.srtpSSRCStates)) addon.seedReceiver(receiver, state.ssrc, state.rolloverCounter, state.lastSequenceNumber);
    srtp.decrypt = (datagram) => {
      const packet = addon.unprotect(receiver, datagram);
      if (!packet) throw new SrtpAuthenticationError('SRTP packet failed authentication or is a replay');
      return packet;
    };
    return true;
  };
}
