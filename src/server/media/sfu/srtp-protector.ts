import { type KeyObject, createCipheriv, createHmac, createSecretKey } from 'node:crypto';
import { ProtectionProfileAeadAes128Gcm, ProtectionProfileAes128CmHmacSha1_80 } from 'werift';
import { SequenceExtender } from './sequence.js';

/** The session keys werift derived for its SRTP context (werift 0.25.2's SrtpContext fields): RTP's and RTCP's. */
export interface SrtpSessionKeys {
  profile: number;
  srtpSessionKey: Buffer;
  srtpSessionSalt: Buffer;
  srtpSessionAuthTag: Buffer;
  srtcpSessionKey: Buffer;
  srtcpSessionSalt: Buffer;
  srtcpSessionAuthTag: Buffer;
}

const HMAC_TAG_BYTES = 10;
const MAX_SRTCP_INDEX = 0x7fffffff;

interface DirectionKeys {
  key: KeyObject;
  salt: Buffer;
  auth: Buffer;
}

/**
 * SRTP and SRTCP protection (RFC 3711 AES-CM + HMAC-SHA1-80, RFC 7714
 * AES-GCM) of one outgoing stream, for the SFU's forwarding path: RTP comes
 * back as header, ciphertext and tag in separate buffers that go out as one
 * datagram, so no packet is assembled twice, and the key objects and IV
 * buffer are reused. Node's crypto cannot rekey a GCM or CTR cipher with a
 * new IV, so one cipher object per packet remains.
 */
export class SrtpProtector {
  private readonly gcm: boolean;
  private readonly rtp: DirectionKeys;
  private readonly rtcp: DirectionKeys;
  private readonly iv: Buffer;
  private readonly sequence = new SequenceExtender();
  private readonly rocBytes = Buffer.alloc(4);
  private rtcpIndex = 0;

  constructor(keys: SrtpSessionKeys) {
    if (keys.profile !== ProtectionProfileAeadAes128Gcm && keys.profile !== ProtectionProfileAes128CmHmacSha1_80) {
      throw new Error(`unsupported SRTP profile ${keys.profile}`);
    }
    this.gcm = keys.profile === ProtectionProfileAeadAes128Gcm;
    this.rtp = { key: createSecretKey(keys.srtpSessionKey), salt: keys.srtpSessionSalt, auth: keys.srtpSessionAuthTag };
    this.rtcp = { key: createSecretKey(keys.srtcpSessionKey), salt: keys.srtcpSessionSalt, auth: keys.srtcpSessionAuthTag };
    this.iv = Buffer.alloc(this.gcm ? 12 : 16);
  }

  /** Encrypts `payload` under `header` (the serialized RTP header, whose SSRC and sequence number it reads). */
  protect(header: Buffer, payload: Buffer): Buffer[] {
    const sequenceNumber = header.readUInt16BE(2);
    const roc = Math.floor(this.sequence.extend(sequenceNumber) / 0x10000) >>> 0;
    const iv = this.writeIv(this.rtp, header.readUInt32BE(8), roc, sequenceNumber);
    if (this.gcm) {
      const cipher = createCipheriv('aes-128-gcm', this.rtp.key, iv);
      cipher.setAAD(header);
      const encrypted = cipher.update(payload);
      cipher.final();
      return [header, encrypted, cipher.getAuthTag()];
    }
    const encrypted = createCipheriv('aes-128-ctr', this.rtp.key, iv).update(payload);
    this.rocBytes.writeUInt32BE(roc);
    const tag = createHmac('sha1', this.rtp.auth).update(header).update(encrypted).update(this.rocBytes).digest();
    return [header, encrypted, tag.subarray(0, HMAC_TAG_BYTES)];
  }

  /**
   * The SRTCP packet for a compound RTCP packet: its first 8 bytes stay clear,
   * and the E flag with the SRTCP index follows the ciphertext, after GCM's
   * tag (RFC 7714 §9.2) or before AES-CM's, which covers it (RFC 3711 §3.4).
   */
  protectRtcp(packet: Buffer): Buffer {
    this.rtcpIndex = this.rtcpIndex === MAX_SRTCP_INDEX ? 0 : this.rtcpIndex + 1;
    const trailer = Buffer.alloc(4);
    trailer.writeUInt32BE((0x80000000 | this.rtcpIndex) >>> 0);
    const iv = this.writeIv(this.rtcp, packet.readUInt32BE(4), this.rtcpIndex >>> 16, this.rtcpIndex & 0xffff);
    const clear = packet.subarray(0, 8);
    if (this.gcm) {
      const cipher = createCipheriv('aes-128-gcm', this.rtcp.key, iv);
      cipher.setAAD(Buffer.concat([clear, trailer]));
      const encrypted = cipher.update(packet.subarray(8));
      cipher.final();
      return Buffer.concat([clear, encrypted, cipher.getAuthTag(), trailer]);
    }
    const authenticated = Buffer.concat([clear, createCipheriv('aes-128-ctr', this.rtcp.key, iv).update(packet.subarray(8)), trailer]);
    return Buffer.concat([authenticated, createHmac('sha1', this.rtcp.auth).update(authenticated).digest().subarray(0, HMAC_TAG_BYTES)]);
  }

  /**
   * IV = salt ⊕ (SSRC, 48-bit index `high`‖`low`): ROC‖SEQ for RTP, the SRTCP
   * index for RTCP. At bytes 2/6/10 of GCM's 12, 4/8/12 of CTR's 16 (whose
   * last two count blocks).
   */
  private writeIv(keys: DirectionKeys, ssrc: number, high: number, low: number): Buffer {
    const iv = this.iv;
    iv.fill(0);
    const at = this.gcm ? 2 : 4;
    iv.writeUInt32BE(ssrc, at);
    iv.writeUInt32BE(high, at + 4);
    iv.writeUInt16BE(low, at + 8);
    for (let i = 0; i < Math.min(iv.length, keys.salt.length); i++) iv[i] ^= keys.salt[i];
    return iv;
  }
}
