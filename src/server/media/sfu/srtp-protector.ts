import { type KeyObject, createCipheriv, createHmac, createSecretKey } from 'node:crypto';
import { ProtectionProfileAeadAes128Gcm, ProtectionProfileAes128CmHmacSha1_80 } from 'werift';
import { SequenceExtender } from './sequence.js';

/** The session keys werift derived for its SRTP context (werift 0.25.2's SrtpContext fields). */
export interface SrtpSessionKeys {
  profile: number;
  srtpSessionKey: Buffer;
  srtpSessionSalt: Buffer;
  srtpSessionAuthTag: Buffer;
}

const HMAC_TAG_BYTES = 10;

/**
 * SRTP protection (RFC 3711 AES-CM + HMAC-SHA1-80, RFC 7714 AES-GCM) of one
 * outgoing RTP stream, for the SFU's forwarding path: it returns the header,
 * ciphertext and tag as separate buffers that go out as one datagram, so no
 * packet is assembled twice, and it reuses its key object and IV buffer.
 * Node's crypto cannot rekey a GCM or CTR cipher with a new IV, so one cipher
 * object per packet remains.
 */
export class SrtpProtector {
  private readonly key: KeyObject;
  private readonly iv: Buffer;
  private readonly sequence = new SequenceExtender();
  private readonly rocBytes = Buffer.alloc(4);

  constructor(private readonly keys: SrtpSessionKeys) {
    if (keys.profile !== ProtectionProfileAeadAes128Gcm && keys.profile !== ProtectionProfileAes128CmHmacSha1_80) {
      throw new Error(`unsupported SRTP profile ${keys.profile}`);
    }
    this.key = createSecretKey(keys.srtpSessionKey);
    this.iv = Buffer.alloc(keys.profile === ProtectionProfileAeadAes128Gcm ? 12 : 16);
  }

  /** Encrypts `payload` under `header` (the serialized RTP header, whose SSRC and sequence number it reads). */
  protect(header: Buffer, payload: Buffer): Buffer[] {
    const ssrc = header.readUInt32BE(8);
    const sequenceNumber = header.readUInt16BE(2);
    const roc = Math.floor(this.sequence.extend(sequenceNumber) / 0x10000) >>> 0;
    const iv = this.iv;
    const salt = this.keys.srtpSessionSalt;
    iv.fill(0);
    // Both IVs are salt ⊕ (SSRC, ROC, SEQ): at bytes 2/6/10 of GCM's 12, 4/8/12 of CTR's 16 (whose last two count blocks).
    const at = iv.length === 12 ? 2 : 4;
    iv.writeUInt32BE(ssrc, at);
    iv.writeUInt32BE(roc, at + 4);
    iv.writeUInt16BE(sequenceNumber, at + 8);
    for (let i = 0; i < salt.length; i++) iv[i] ^= salt[i];
    if (this.keys.profile === ProtectionProfileAeadAes128Gcm) {
      const cipher = createCipheriv('aes-128-gcm', this.key, iv);
      cipher.setAAD(header);
      const encrypted = cipher.update(payload);
      cipher.final();
      return [header, encrypted, cipher.getAuthTag()];
    }
    const encrypted = createCipheriv('aes-128-ctr', this.key, iv).update(payload);
    this.rocBytes.writeUInt32BE(roc);
    const tag = createHmac('sha1', this.keys.srtpSessionAuthTag).update(header).update(encrypted).update(this.rocBytes).digest();
    return [header, encrypted, tag.subarray(0, HMAC_TAG_BYTES)];
  }
}
